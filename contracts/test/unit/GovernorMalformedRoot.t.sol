// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {GovernorScenario} from "./LineageGovernor.t.sol";
import {ILineageGovernor} from "../../src/interfaces/ILineageGovernor.sol";
import {IMeritRoots} from "../../src/interfaces/IMeritRoots.sol";

/// @notice A merit-roots answer whose `epochEnd` does not fit 64 bits is refused with a named error (issue 19: the
/// bare `revert()` that solhint's gas-custom-errors refused).
contract GovernorMalformedRootTest is GovernorScenario {
    function test_meritVotes_revertsOnEpochEndAbove64Bits() public {
        uint256 t = block.timestamp - 1;
        uint256 tooLong = uint256(type(uint64).max) + 1;
        vm.mockCall(
            address(roots),
            abi.encodeWithSelector(IMeritRoots.finalRootAt.selector, t),
            abi.encode(meritRoot, tooLong, totalMerit)
        );
        vm.expectRevert(abi.encodeWithSelector(ILineageGovernor.LineageGovernorMalformedMeritRoot.selector, tooLong));
        governor.meritVotes(carol, t, _meritParams(0, 5e18, CAROL_MERIT));
    }
}
