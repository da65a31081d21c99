// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test, Vm} from "forge-std/Test.sol";

/// @notice Issue 19: every deployable contract keeps a margin under EIP-170's runtime size limit, so a fix or a new
/// setter cannot silently push one past it (then it would not deploy). Reads the runtime bytecode of every contract
/// whose artifact is named like its source file under `contracts/src` (forge compiles before testing, so the
/// artifacts are this build's), and requires the deployables named below to be among them.
contract ContractSizesTest is Test {
    /// @dev EIP-170: the largest runtime bytecode a contract may deploy.
    uint256 internal constant EIP170_LIMIT = 24_576;
    /// @dev The margin every deployable keeps (the project aims at 1,500; below 1,000 fails).
    uint256 internal constant MIN_MARGIN = 1_000;
    /// @dev Directory depth of `contracts/src` (area folders, then files).
    uint64 internal constant SRC_DEPTH = 3;

    /// @notice Every contract of `contracts/src` keeps at least `MIN_MARGIN` bytes under the limit.
    function test_contractSizes_keepMarginUnderEip170() public {
        string[9] memory required = [
            "DatanetRegistry",
            "ModelRegistry",
            "PaymentChannels",
            "RewardsDistributor",
            "StakingRegistry",
            "LineageGovernor",
            "OpenToken",
            "OpenTokenL2",
            "WrappedOpen"
        ];
        uint256 found;
        Vm.DirEntry[] memory entries = vm.readDir("contracts/src", SRC_DEPTH);
        for (uint256 i; i < entries.length; ++i) {
            if (entries[i].isDir) continue;
            string memory name = _solName(entries[i].path);
            if (bytes(name).length == 0) continue;
            string memory artifact = string.concat("out/", name, ".sol/", name, ".json");
            if (!vm.exists(artifact)) continue;
            uint256 size = vm.parseJsonBytes(vm.readFile(artifact), ".deployedBytecode.object").length;
            if (size == 0) continue; // an interface or abstract contract
            emit log_named_uint(string.concat("runtime margin of ", name), EIP170_LIMIT - size);
            assertLe(size + MIN_MARGIN, EIP170_LIMIT, string.concat(name, " has under 1,000 bytes of EIP-170 margin"));
            for (uint256 j; j < required.length; ++j) {
                if (keccak256(bytes(required[j])) == keccak256(bytes(name))) ++found;
            }
        }
        assertEq(found, required.length, "a deployable contract's artifact was not found");
    }

    /// @dev `X` for a path ending in `/X.sol`, else "".
    function _solName(string memory path) internal pure returns (string memory) {
        bytes memory p = bytes(path);
        uint256 n = p.length;
        if (n < 5 || p[n - 4] != "." || p[n - 3] != "s" || p[n - 2] != "o" || p[n - 1] != "l") return "";
        uint256 start = n - 4;
        while (start > 0 && p[start - 1] != "/") --start;
        bytes memory name = new bytes(n - 4 - start);
        for (uint256 i; i < name.length; ++i) {
            name[i] = p[start + i];
        }
        return string(name);
    }
}
