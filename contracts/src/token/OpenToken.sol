// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {ERC20Votes} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Votes.sol";
import {Votes} from "@openzeppelin/contracts/governance/utils/Votes.sol";
import {IERC6372} from "@openzeppelin/contracts/interfaces/IERC6372.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {IOpenTokenL1} from "../interfaces/IOpenToken.sol";

/// @title OpenToken
/// @notice OPEN, the Lineage token on L1: fixed supply minted once to the treasury, permit, timestamp-clock votes.
/// @dev Immutable, no owner, no mint after construction. Votes count only once an account delegates (ERC-5805).
contract OpenToken is ERC20, ERC20Permit, ERC20Votes, IOpenTokenL1 {
    /// @inheritdoc IOpenTokenL1
    uint256 public constant TOTAL_SUPPLY = 1_000_000_000e18;

    /// @param treasury Receives the whole supply (the Timelock on devnet).
    constructor(address treasury) ERC20("Lineage", "OPEN") ERC20Permit("Lineage") {
        if (treasury == address(0)) revert OpenTokenZeroTreasury();
        _mint(treasury, TOTAL_SUPPLY);
    }

    /* CLOCK (ERC-6372) */

    /// @notice The votes clock: the block timestamp (ERC-6372).
    function clock() public view override(Votes, IERC6372) returns (uint48) {
        return uint48(block.timestamp);
    }

    /// @notice The clock's mode (ERC-6372): "mode=timestamp".
    // solhint-disable-next-line func-name-mixedcase
    function CLOCK_MODE() public pure override(Votes, IERC6372) returns (string memory) {
        return "mode=timestamp";
    }

    /* OVERRIDES */

    /// @dev Moves votes with balances (ERC20Votes).
    function _update(address from, address to, uint256 value) internal override(ERC20, ERC20Votes) {
        super._update(from, to, value);
    }

    /// @notice The next permit / delegateBySig nonce of `owner` (shared by both).
    function nonces(address owner) public view override(ERC20Permit, Nonces, IERC20Permit) returns (uint256) {
        return super.nonces(owner);
    }
}
