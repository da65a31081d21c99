// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {Hashes} from "@openzeppelin/contracts/utils/cryptography/Hashes.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {OpenToken} from "../../src/token/OpenToken.sol";
import {StakingRegistry} from "../../src/staking/StakingRegistry.sol";
import {LineageGovernor} from "../../src/governance/LineageGovernor.sol";
import {ILineageGovernor} from "../../src/interfaces/ILineageGovernor.sol";
import {IMeritRoots} from "../../src/interfaces/IMeritRoots.sol";
import {IReceiptDomain} from "../../src/interfaces/IReceiptDomain.sol";
import {OperatorRole} from "../../src/types/Roles.sol";
import {UsageReceipt, hashUsageReceipt} from "../../src/types/UsageReceipt.sol";

/// @notice A usage receipt of model 7 (100 tokens in, 200 out) with the given channel, seq, amount and request.
function sampleReceipt(uint256 channelId, uint64 seq, uint256 cumulativeAmount, bytes32 requestHash)
    pure
    returns (UsageReceipt memory)
{
    return UsageReceipt({
        channelId: channelId,
        seq: seq,
        modelId: 7,
        adapterDigest: keccak256("adapter"),
        tokensIn: 100,
        tokensOut: 200,
        cumulativeAmount: cumulativeAmount,
        requestHash: requestHash
    });
}

/// @notice Test double of PaymentChannels' receipt domain: a real EIP-712 domain named "PaymentChannels", version "1".
contract MockReceiptDomain is IReceiptDomain, EIP712 {
    mapping(uint256 channelId => address node) public nodes;

    constructor() EIP712("PaymentChannels", "1") {}

    function setChannelNode(uint256 channelId, address node) external {
        nodes[channelId] = node;
    }

    function receiptDigest(UsageReceipt calldata receipt) external view returns (bytes32) {
        return _hashTypedDataV4(hashUsageReceipt(receipt));
    }

    function channelNode(uint256 channelId) external view returns (address) {
        return nodes[channelId];
    }
}

/// @notice Test double of the RewardsDistributor's merit roots: roots become final at a given time.
contract MockMeritRoots is IMeritRoots {
    struct Entry {
        uint64 finalAt;
        bytes32 root;
        uint64 epochEnd;
        uint256 totalMerit;
    }

    Entry[] public entries;

    /// @dev Entries must be added in non-decreasing `finalAt` order.
    function addRoot(uint64 finalAt, bytes32 root, uint64 epochEnd, uint256 totalMerit) external {
        entries.push(Entry(finalAt, root, epochEnd, totalMerit));
    }

    function finalRootAt(uint256 timepoint) external view returns (bytes32, uint64, uint256) {
        for (uint256 i = entries.length; i > 0; --i) {
            Entry storage e = entries[i - 1];
            if (e.finalAt <= timepoint) return (e.root, e.epochEnd, e.totalMerit);
        }
        return (bytes32(0), 0, 0);
    }
}

/// @notice Merkle trees with OpenZeppelin's sorted-pair hashing and StandardMerkleTree leaves
/// (`keccak256(bytes.concat(keccak256(abi.encode(account, cumulativeAmount, merit))))`).
library MeritTree {
    function leaf(address account, uint256 cumulativeAmount, uint256 merit) internal pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(account, cumulativeAmount, merit))));
    }

    function root(bytes32[] memory nodes) internal pure returns (bytes32) {
        while (nodes.length > 1) nodes = _up(nodes);
        return nodes[0];
    }

    function proof(bytes32[] memory nodes, uint256 index) internal pure returns (bytes32[] memory p) {
        bytes32[] memory tmp = new bytes32[](64);
        uint256 n;
        while (nodes.length > 1) {
            uint256 sibling = index ^ 1;
            if (sibling < nodes.length) tmp[n++] = nodes[sibling];
            nodes = _up(nodes);
            index /= 2;
        }
        p = new bytes32[](n);
        for (uint256 i; i < n; ++i) {
            p[i] = tmp[i];
        }
    }

    function _up(bytes32[] memory nodes) private pure returns (bytes32[] memory next) {
        next = new bytes32[]((nodes.length + 1) / 2);
        for (uint256 i; i < next.length; ++i) {
            next[i] =
                2 * i + 1 < nodes.length ? Hashes.commutativeKeccak256(nodes[2 * i], nodes[2 * i + 1]) : nodes[2 * i];
        }
    }
}

/// @notice A flash lender of OPEN (for the attack tests): lends, calls back, requires repayment in the same call.
contract FlashLender {
    IERC20 public immutable token;

    constructor(IERC20 token_) {
        token = token_;
    }

    function flashLoan(uint256 amount, bytes calldata data) external {
        uint256 before = token.balanceOf(address(this));
        require(token.transfer(msg.sender, amount), "transfer");
        (bool ok, bytes memory ret) = msg.sender.call(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(ret, 32), mload(ret))
            }
        }
        require(token.balanceOf(address(this)) >= before, "not repaid");
    }
}

/// @notice Deploys the whole issue-5 system: OPEN, Timelock, StakingRegistry, LineageGovernor, doubles.
abstract contract StakingGovBase is Test {
    uint48 internal constant VOTING_DELAY = 1 days;
    uint32 internal constant VOTING_PERIOD = 5 days;
    uint256 internal constant TIMELOCK_DELAY = 2 days;
    uint64 internal constant HALF_LIFE = 30 days;
    uint32 internal constant MERIT_WEIGHT = 20_000; // k = 2
    uint16 internal constant MERIT_CAP_BPS = 1_000; // 10% of the total voting supply
    uint16 internal constant QUORUM_BPS = 400; // 4%

    OpenToken internal token;
    TimelockController internal timelock;
    StakingRegistry internal staking;
    LineageGovernor internal governor;
    MockMeritRoots internal roots;
    MockReceiptDomain internal domain;

    address internal treasury = makeAddr("treasury");
    address internal slasher = makeAddr("slasher");
    address internal council = makeAddr("council");
    address internal rewardSource = makeAddr("rewardSource");
    address internal alice = makeAddr("alice");
    address internal bob = makeAddr("bob");
    address internal carol = makeAddr("carol");
    address internal node;
    uint256 internal nodeKey;
    address internal agent = makeAddr("agent");

    function setUp() public virtual {
        vm.warp(1_750_000_000);
        (node, nodeKey) = makeAddrAndKey("node");
        token = new OpenToken(address(this));
        address[] memory none = new address[](0);
        address[] memory anyone = new address[](1);
        timelock = new TimelockController(TIMELOCK_DELAY, none, anyone, address(this));
        staking = new StakingRegistry(token, address(timelock), treasury);
        roots = new MockMeritRoots();
        domain = new MockReceiptDomain();
        governor = new LineageGovernor(
            token,
            staking,
            roots,
            timelock,
            LineageGovernor.Config({
                votingDelay: VOTING_DELAY,
                votingPeriod: VOTING_PERIOD,
                proposalThreshold: 1_000e18,
                merit: ILineageGovernor.MeritParameters({
                    meritWeight: MERIT_WEIGHT, meritCapBps: MERIT_CAP_BPS, quorumBps: QUORUM_BPS, halfLife: HALF_LIFE
                })
            })
        );
        timelock.grantRole(timelock.PROPOSER_ROLE(), address(governor));
        timelock.grantRole(timelock.CANCELLER_ROLE(), address(governor));
        timelock.renounceRole(timelock.DEFAULT_ADMIN_ROLE(), address(this));

        vm.startPrank(address(timelock));
        staking.setSlasher(slasher);
        staking.setSecurityCouncil(council);
        staking.setReceiptDomain(address(domain));
        staking.setRewardSource(rewardSource, true);
        vm.stopPrank();

        _fund(node, 1_000_000e18);
        _fund(agent, 1_000_000e18);
        _fund(alice, 1_000_000e18);
        _fund(bob, 1_000_000e18);
        _fund(carol, 1_000_000e18);
        _fund(rewardSource, 1_000_000e18);
    }

    function _fund(address to, uint256 amount) internal {
        require(token.transfer(to, amount), "fund");
        vm.prank(to);
        token.approve(address(staking), type(uint256).max);
    }

    function _registerAndStake(address operator, OperatorRole role, uint256 amount) internal {
        vm.startPrank(operator);
        staking.register(role, "ipfs://operator");
        staking.stake(amount);
        vm.stopPrank();
    }

    function _receipt(uint256 channelId, uint64 seq, uint256 cumulativeAmount, bytes32 requestHash)
        internal
        pure
        returns (UsageReceipt memory)
    {
        return sampleReceipt(channelId, seq, cumulativeAmount, requestHash);
    }

    function _sign(uint256 key, UsageReceipt memory r) internal view returns (bytes memory) {
        (uint8 v, bytes32 rr, bytes32 s) = vm.sign(key, domain.receiptDigest(r));
        return abi.encodePacked(rr, s, v);
    }
}
