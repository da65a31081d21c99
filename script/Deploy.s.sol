// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Script} from "forge-std/Script.sol";
import {stdJson} from "forge-std/StdJson.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {OpenToken} from "../contracts/src/token/OpenToken.sol";
import {DatanetRegistry} from "../contracts/src/data/DatanetRegistry.sol";
import {ModelRegistry} from "../contracts/src/models/ModelRegistry.sol";
import {IDatanetAccess} from "../contracts/src/interfaces/IDatanetAccess.sol";
import {StakingRegistry} from "../contracts/src/staking/StakingRegistry.sol";
import {RewardsDistributor} from "../contracts/src/rewards/RewardsDistributor.sol";
import {PaymentChannels} from "../contracts/src/payments/PaymentChannels.sol";
import {LineageGovernor} from "../contracts/src/governance/LineageGovernor.sol";
import {ILineageGovernor} from "../contracts/src/interfaces/ILineageGovernor.sol";
import {IModelTerms} from "../contracts/src/interfaces/IModelTerms.sol";
import {IOperatorStaking} from "../contracts/src/interfaces/IOperatorStaking.sol";
import {IRewardsDistributor} from "../contracts/src/interfaces/IRewardsDistributor.sol";
import {IMeritRoots} from "../contracts/src/interfaces/IMeritRoots.sol";

/// @title Deploy
/// @notice Deploys every Lineage contract, wires roles and writes `deployments/<chainId>.json`.
/// @dev Run by `scripts/deploy.ts` (which adds the deploy block, its hash and the ABI hash from the broadcast):
///   forge script script/Deploy.s.sol --rpc-url <url> --private-key <key> --broadcast
/// Parameters come from `deployments/config/<chainId>.json` (a chain without one is refused):
///   timelockMinDelay (seconds), keepers (address[]), slasher, council, distribution (address[]) and
///   distributionAmount (OPEN wei each; devnet demo balances paid by the treasury, empty on a real chain), and the
///   initial parameters of the governor, the distributor and the payment channels (each contract checks its bounds).
/// The Timelock is the treasury and the governance of every contract. The deployer holds its proposer, executor and
/// admin roles only during this script (delay 0): it runs one bootstrap batch through the Timelock (demo
/// distribution and the governance-only wiring between contracts), sets the configured delay, then gives the roles
/// up: at the end only the Governor proposes and cancels, anyone executes, and nobody administers.
contract Deploy is Script {
    using stdJson for string;

    /// @notice The deploy configuration of one chain.
    struct Config {
        uint256 timelockMinDelay;
        address[] keepers;
        address slasher;
        address council;
        address[] distribution;
        uint256 distributionAmount;
        LineageGovernor.Config governor;
        RewardsDistributor.Params rewards;
        uint32 sweepNotice;
        uint32 minSweepAge;
        uint16 treasuryBps;
        uint16 nodeBps;
        uint32 noticePeriod;
    }

    /// @notice Upper bound of the configured Timelock delay (30 days): a typo must not lock governance for years.
    uint256 internal constant MAX_TIMELOCK_DELAY = 30 days;

    /// @notice Thrown when `deployments/config/<chainId>.json` does not exist.
    error DeployUnknownChain(uint256 chainId, string configPath);
    /// @notice Thrown when a configured value is out of bounds or missing.
    error DeployBadConfig(string field);

    address internal deployer;
    TimelockController internal timelock;
    OpenToken internal token;
    DatanetRegistry internal datanets;
    ModelRegistry internal models;
    StakingRegistry internal staking;
    RewardsDistributor internal distributor;
    PaymentChannels internal channels;
    LineageGovernor internal governor;

    /// @dev The bootstrap batch the Timelock executes (governance-only calls and the demo distribution).
    address[] internal batchTargets;
    bytes[] internal batchPayloads;

    /// @notice Entry point of `forge script`.
    function run() external {
        Config memory cfg = loadConfig();
        uint256 startBlock = block.number;
        vm.startBroadcast();
        (, deployer,) = vm.readCallers();
        deployTimelock();
        token = new OpenToken(address(timelock));
        datanets = new DatanetRegistry(token, address(timelock), address(timelock));
        models = new ModelRegistry(token, IDatanetAccess(address(datanets)), address(timelock), address(timelock));
        staking = new StakingRegistry(token, address(timelock), address(timelock));
        distributor = new RewardsDistributor(
            token, address(timelock), address(timelock), cfg.rewards, cfg.sweepNotice, cfg.minSweepAge
        );
        channels = new PaymentChannels(
            token,
            IModelTerms(address(models)),
            IOperatorStaking(address(staking)),
            IRewardsDistributor(address(distributor)),
            address(timelock),
            address(timelock),
            cfg.treasuryBps,
            cfg.nodeBps,
            cfg.noticePeriod
        );
        governor = new LineageGovernor(
            token, IOperatorStaking(address(staking)), IMeritRoots(address(distributor)), timelock, cfg.governor
        );
        distribute(cfg);
        wire(cfg);
        runBootstrapBatch();
        handOver(cfg);
        vm.stopBroadcast();
        write(cfg, startBlock);
    }

    /* CONFIGURATION */

    /// @notice Reads and checks the chain's deploy configuration.
    function loadConfig() internal view returns (Config memory cfg) {
        string memory path = string.concat(vm.projectRoot(), "/deployments/config/", vm.toString(block.chainid), ".json");
        if (!vm.exists(path)) revert DeployUnknownChain(block.chainid, path);
        string memory json = vm.readFile(path);
        cfg.timelockMinDelay = json.readUint(".timelockMinDelay");
        cfg.keepers = json.readAddressArray(".keepers");
        cfg.slasher = json.readAddress(".slasher");
        cfg.council = json.readAddress(".council");
        cfg.distribution = json.readAddressArray(".distribution");
        cfg.distributionAmount = vm.parseUint(json.readString(".distributionAmount"));
        if (cfg.timelockMinDelay > MAX_TIMELOCK_DELAY) revert DeployBadConfig("timelockMinDelay");
        if (cfg.keepers.length == 0) revert DeployBadConfig("keepers");
        if (cfg.slasher == address(0)) revert DeployBadConfig("slasher");
        if (cfg.council == address(0)) revert DeployBadConfig("council");
        cfg.governor = LineageGovernor.Config({
            votingDelay: uint48(json.readUint(".governor.votingDelay")),
            votingPeriod: uint32(json.readUint(".governor.votingPeriod")),
            proposalThreshold: vm.parseUint(json.readString(".governor.proposalThreshold")),
            merit: ILineageGovernor.MeritParameters({
                meritWeight: uint32(json.readUint(".governor.meritWeight")),
                meritCapBps: uint16(json.readUint(".governor.meritCapBps")),
                quorumBps: uint16(json.readUint(".governor.quorumBps")),
                halfLife: uint64(json.readUint(".governor.halfLife"))
            })
        });
        cfg.rewards = RewardsDistributor.Params({
            challengeWindow: uint32(json.readUint(".rewards.challengeWindow")),
            posterBond: uint96(vm.parseUint(json.readString(".rewards.posterBond"))),
            disputeBond: uint96(vm.parseUint(json.readString(".rewards.disputeBond"))),
            winnerShareBps: uint16(json.readUint(".rewards.winnerShareBps"))
        });
        cfg.sweepNotice = uint32(json.readUint(".rewards.sweepNotice"));
        cfg.minSweepAge = uint32(json.readUint(".rewards.minSweepAge"));
        cfg.treasuryBps = uint16(json.readUint(".channels.treasuryBps"));
        cfg.nodeBps = uint16(json.readUint(".channels.nodeBps"));
        cfg.noticePeriod = uint32(json.readUint(".channels.noticePeriod"));
    }

    /* DEPLOYMENT */

    /// @notice Deploys the Timelock with delay 0 and the deployer as its only proposer, executor and admin.
    function deployTimelock() internal {
        address[] memory me = new address[](1);
        me[0] = deployer;
        timelock = new TimelockController(0, me, me, deployer);
    }

    /// @notice Queues the configured demo balances, paid out of the treasury (the Timelock).
    function distribute(Config memory cfg) internal {
        for (uint256 i; i < cfg.distribution.length; ++i) {
            queue(address(token), abi.encodeCall(IERC20.transfer, (cfg.distribution[i], cfg.distributionAmount)));
        }
    }

    /// @notice Queues the governance-only wiring: slasher, security council, receipt domain and reward source of the
    /// staking registry; the keepers as root posters; the staking registry for staked Datanet validators.
    function wire(Config memory cfg) internal {
        queue(address(staking), abi.encodeCall(StakingRegistry.setSlasher, (cfg.slasher)));
        queue(address(staking), abi.encodeCall(StakingRegistry.setSecurityCouncil, (cfg.council)));
        queue(address(staking), abi.encodeCall(StakingRegistry.setReceiptDomain, (address(channels))));
        queue(address(staking), abi.encodeCall(StakingRegistry.setRewardSource, (address(channels), true)));
        for (uint256 i; i < cfg.keepers.length; ++i) {
            queue(address(distributor), abi.encodeCall(RewardsDistributor.setPoster, (cfg.keepers[i], true)));
        }
        queue(address(datanets), abi.encodeCall(DatanetRegistry.setStakingRegistry, (address(staking))));
    }

    /// @notice Adds a call to the bootstrap batch.
    function queue(address target, bytes memory payload) internal {
        batchTargets.push(target);
        batchPayloads.push(payload);
    }

    /// @notice Schedules and executes the bootstrap batch through the Timelock (delay still 0).
    function runBootstrapBatch() internal {
        uint256 n = batchTargets.length;
        if (n == 0) return;
        uint256[] memory values = new uint256[](n);
        bytes32 salt = keccak256("lineage.bootstrap");
        timelock.scheduleBatch(batchTargets, values, batchPayloads, bytes32(0), salt, 0);
        timelock.executeBatch(batchTargets, values, batchPayloads, bytes32(0), salt);
    }

    /// @notice Sets the configured delay, makes anyone an executor and drops the deployer's roles.
    function handOver(Config memory cfg) internal {
        bytes memory setDelay = abi.encodeCall(TimelockController.updateDelay, (cfg.timelockMinDelay));
        timelock.schedule(address(timelock), 0, setDelay, bytes32(0), keccak256("lineage.delay"), 0);
        timelock.execute(address(timelock), 0, setDelay, bytes32(0), keccak256("lineage.delay"));
        timelock.grantRole(timelock.PROPOSER_ROLE(), address(governor));
        timelock.grantRole(timelock.CANCELLER_ROLE(), address(governor));
        timelock.grantRole(timelock.EXECUTOR_ROLE(), address(0));
        timelock.revokeRole(timelock.PROPOSER_ROLE(), deployer);
        timelock.revokeRole(timelock.CANCELLER_ROLE(), deployer);
        timelock.revokeRole(timelock.EXECUTOR_ROLE(), deployer);
        timelock.renounceRole(timelock.DEFAULT_ADMIN_ROLE(), deployer);
    }

    /* OUTPUT */

    /// @notice Writes the deployment file (path from LINEAGE_DEPLOYMENT_FILE, default `deployments/<chainId>.json`).
    function write(Config memory cfg, uint256 startBlock) internal {
        string memory c = "contracts";
        c.serialize("TimelockController", address(timelock));
        c.serialize("DatanetRegistry", address(datanets));
        c.serialize("ModelRegistry", address(models));
        c.serialize("StakingRegistry", address(staking));
        c.serialize("RewardsDistributor", address(distributor));
        c.serialize("PaymentChannels", address(channels));
        c.serialize("LineageGovernor", address(governor));
        string memory contractsJson = c.serialize("OpenToken", address(token));

        string memory r = "roles";
        r.serialize("keepers", cfg.keepers);
        r.serialize("slasher", cfg.slasher);
        r.serialize("council", cfg.council);
        string memory rolesJson = r.serialize("treasury", address(timelock));

        string memory o = "deployment";
        o.serialize("chainId", block.chainid);
        o.serialize("deployer", deployer);
        o.serialize("startBlock", startBlock);
        o.serialize("roles", rolesJson);
        string memory out = o.serialize("contracts", contractsJson);

        string memory defaultPath =
            string.concat(vm.projectRoot(), "/deployments/", vm.toString(block.chainid), ".json");
        out.write(vm.envOr("LINEAGE_DEPLOYMENT_FILE", defaultPath));
    }
}
