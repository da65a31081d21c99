// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {ERC20Votes} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Votes.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {IERC6372} from "@openzeppelin/contracts/interfaces/IERC6372.sol";
import {Votes} from "@openzeppelin/contracts/governance/utils/Votes.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {IOpenToken} from "../interfaces/IOpenToken.sol";

/// @title OpenTokenBase
/// @notice What every form of OPEN shares: ERC-20 (18 decimals), EIP-2612 permit (domain = the token's name,
/// version "1") and ERC-5805 votes on a timestamp clock.
abstract contract OpenTokenBase is ERC20, ERC20Permit, ERC20Votes, IOpenToken {
    /// @param name_ ERC-20 name, also the EIP-712 domain name.
    /// @param symbol_ ERC-20 symbol.
    constructor(string memory name_, string memory symbol_) ERC20(name_, symbol_) ERC20Permit(name_) {}

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
    function _update(address from, address to, uint256 value) internal virtual override(ERC20, ERC20Votes) {
        super._update(from, to, value);
    }

    /// @notice The next permit / delegateBySig nonce of `owner` (shared by both).
    function nonces(address owner) public view override(ERC20Permit, Nonces, IERC20Permit) returns (uint256) {
        return super.nonces(owner);
    }
}
