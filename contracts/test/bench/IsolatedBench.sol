// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Vm} from "forge-std/Vm.sol";

/// @notice The gas benchmarks measure whole transactions: they are meaningful only under `forge test --isolate`
/// (each top-level call its own transaction: 21,000 intrinsic gas, cold storage, refunds applied), which
/// `node bench/core-gas.mjs` and `node bench/staking-gov-gas.mjs` pass. A plain `forge test` (what an auditor runs
/// first) skips them with that reason instead of failing on, or asserting targets against, warm in-transaction
/// figures.
/// @dev Detection without side effects on the benchmarks: an empty contract is etched at a fixed address and called
/// once from another fixed address (an isolated call bumps its sender's nonce: from the test contract it would move
/// every address the fixtures create afterwards, and with them the calldata the figures count). Isolated, that call
/// is a transaction of at least the intrinsic 21,000 gas; otherwise it costs 0 (a single STOP).
library IsolatedBench {
    Vm private constant VM = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));
    /// @dev Intrinsic gas of a transaction (EIP-2028 era): the floor of any isolated call.
    uint256 internal constant INTRINSIC_GAS = 21_000;
    /// @dev Where the empty probe contract is etched (an address no fixture creates).
    address internal constant PROBE = address(uint160(uint256(keccak256("lineage.bench.isolation-probe"))));
    /// @dev The probe's caller (never the test contract: see above).
    address internal constant PROBE_CALLER = address(uint160(uint256(keccak256("lineage.bench.isolation-probe-caller"))));
    /// @dev Runtime code of the probe: a single STOP.
    bytes internal constant PROBE_CODE = hex"00";

    /// @dev True when forge runs each top-level call as its own transaction (`--isolate`).
    function isolated() internal returns (bool) {
        VM.etch(PROBE, PROBE_CODE);
        VM.prank(PROBE_CALLER);
        (bool ok,) = PROBE.call("");
        return ok && VM.lastCallGas().gasTotalUsed >= INTRINSIC_GAS;
    }

    /// @dev Skips the calling test (or, from `setUp`, the whole suite) unless it runs under `--isolate`.
    function skipUnlessIsolated(string memory bench) internal {
        VM.skip(!isolated(), string.concat("gas benchmark: measured only under --isolate (", bench, ")"));
    }
}
