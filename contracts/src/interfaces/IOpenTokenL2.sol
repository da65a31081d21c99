// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";

/// @title IOptimismMintableERC20
/// @notice The OP Stack Standard Bridge's interface for an L2 token minted by the bridge (ERC-165 id 0xec4fc8e3).
interface IOptimismMintableERC20 is IERC165 {
    /// @notice The token's counterpart on the other chain (OPEN on L1).
    function remoteToken() external view returns (address);

    /// @notice The bridge allowed to mint and burn.
    function bridge() external returns (address);

    /// @notice Mints `_amount` to `_to` (bridge only): finalises a deposit.
    function mint(address _to, uint256 _amount) external;

    /// @notice Burns `_amount` from `_from` (bridge only): starts a withdrawal.
    function burn(address _from, uint256 _amount) external;
}

/// @title ILegacyMintableERC20
/// @notice The legacy Standard Bridge interface (ERC-165 id 0x1d1d8b63).
interface ILegacyMintableERC20 is IERC165 {
    /// @notice The token on L1 (same as remoteToken()).
    function l1Token() external view returns (address);

    /// @notice Mints `_to` `_amount` (bridge only).
    function mint(address _to, uint256 _amount) external;

    /// @notice Burns `_amount` from `_from` (bridge only).
    function burn(address _from, uint256 _amount) external;
}

/// @title IOpenTokenL2
/// @notice OPEN on an OP-Stack L2 as a Standard Bridge token (what it adds to {IOpenToken}): supply exists only as
/// bridged from L1; permit and timestamp-clock votes like every form of OPEN.
interface IOpenTokenL2 is IOptimismMintableERC20, ILegacyMintableERC20 {
    /// @notice A caller other than the bridge tried to mint or burn.
    error OpenTokenL2OnlyBridge(address caller);
    /// @notice A constructor address is zero.
    error OpenTokenL2ZeroAddress();

    /// @notice The bridge minted `amount` to `account` (a finalised deposit).
    event Mint(address indexed account, uint256 amount);
    /// @notice The bridge burned `amount` from `account` (a started withdrawal).
    event Burn(address indexed account, uint256 amount);

    /// @notice The bridge (legacy name; same as bridge()).
    function l2Bridge() external view returns (address);

    /// @notice Mints `_amount` to `_to` (bridge only).
    function mint(address _to, uint256 _amount) external override(IOptimismMintableERC20, ILegacyMintableERC20);

    /// @notice Burns `_amount` from `_from` (bridge only).
    function burn(address _from, uint256 _amount) external override(IOptimismMintableERC20, ILegacyMintableERC20);
}
