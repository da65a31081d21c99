// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {OpenTokenBase} from "./OpenTokenBase.sol";
import {IOpenTokenL2, IOptimismMintableERC20, ILegacyMintableERC20} from "../interfaces/IOpenTokenL2.sol";

/// @title OpenTokenL2
/// @notice OPEN on an OP-Stack L2 through the Standard Bridge: the bridge mints on deposits and burns on
/// withdrawals; nobody else can. Permit and timestamp-clock votes as on L1.
/// @dev Immutable. Same name, symbol and decimals as on L1.
contract OpenTokenL2 is OpenTokenBase, IOpenTokenL2 {
    /// @notice The L2 Standard Bridge (0x4200000000000000000000000000000000000010 on OP chains).
    address public immutable BRIDGE;
    /// @notice OPEN on L1.
    address public immutable REMOTE_TOKEN;

    /// @param bridge_ The L2 Standard Bridge.
    /// @param remoteToken_ OPEN on L1.
    constructor(address bridge_, address remoteToken_) OpenTokenBase("Lineage", "OPEN") {
        if (bridge_ == address(0) || remoteToken_ == address(0)) revert OpenTokenL2ZeroAddress();
        BRIDGE = bridge_;
        REMOTE_TOKEN = remoteToken_;
    }

    modifier onlyBridge() {
        if (msg.sender != BRIDGE) revert OpenTokenL2OnlyBridge(msg.sender);
        _;
    }

    /// @inheritdoc IOpenTokenL2
    function mint(address _to, uint256 _amount) external override(IOpenTokenL2) onlyBridge {
        _mint(_to, _amount);
        emit Mint(_to, _amount);
    }

    /// @inheritdoc IOpenTokenL2
    function burn(address _from, uint256 _amount) external override(IOpenTokenL2) onlyBridge {
        _burn(_from, _amount);
        emit Burn(_from, _amount);
    }

    /// @inheritdoc IOptimismMintableERC20
    function remoteToken() external view returns (address) {
        return REMOTE_TOKEN;
    }

    /// @inheritdoc IOptimismMintableERC20
    function bridge() external view returns (address) {
        return BRIDGE;
    }

    /// @inheritdoc ILegacyMintableERC20
    function l1Token() external view returns (address) {
        return REMOTE_TOKEN;
    }

    /// @inheritdoc IOpenTokenL2
    function l2Bridge() external view returns (address) {
        return BRIDGE;
    }

    /// @notice ERC-165: IERC165, IOptimismMintableERC20 (0xec4fc8e3) and ILegacyMintableERC20 (0x1d1d8b63).
    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        return interfaceId == type(IERC165).interfaceId || interfaceId == type(IOptimismMintableERC20).interfaceId
            || interfaceId == type(ILegacyMintableERC20).interfaceId;
    }
}
