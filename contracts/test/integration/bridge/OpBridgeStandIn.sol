// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ERC165Checker} from "@openzeppelin/contracts/utils/introspection/ERC165Checker.sol";
import {IOptimismMintableERC20, ILegacyMintableERC20} from "../../../src/interfaces/IOpenTokenL2.sol";

/// @notice Stand-in for the OP CrossDomainMessenger (an L1 messenger cannot run here). Same surface the Standard
/// Bridge uses (`sendMessage`, `xDomainMessageSender`); messages queue and are relayed explicitly to the paired
/// messenger, which calls the target with `xDomainMessageSender` set, as the real relay does.
contract MockMessenger {
    struct Message {
        address sender;
        address target;
        bytes data;
    }

    MockMessenger public other;
    address public xDomainMessageSender;
    Message[] public queue;
    uint256 public relayed;

    error MockMessengerRelayFailed(bytes reason);

    function pair(MockMessenger other_) external {
        other = other_;
    }

    /// @dev Same signature as ICrossDomainMessenger.sendMessage.
    function sendMessage(address target, bytes calldata message, uint32) external {
        queue.push(Message(msg.sender, target, message));
    }

    /// @dev Relays every queued message on the other side.
    function relayAll() external {
        for (; relayed < queue.length; ++relayed) {
            Message memory m = queue[relayed];
            other.deliver(m.sender, m.target, m.data);
        }
    }

    function deliver(address sender, address target, bytes calldata data) external {
        require(msg.sender == address(other), "not paired");
        xDomainMessageSender = sender;
        (bool ok, bytes memory reason) = target.call(data);
        xDomainMessageSender = address(0xdead);
        if (!ok) revert MockMessengerRelayFailed(reason);
    }

    function pending() external view returns (uint256) {
        return queue.length - relayed;
    }
}

/// @notice Stand-in for the OP StandardBridge (L1 and L2 sides in one contract, as in Optimism's StandardBridge):
/// `bridgeERC20To` locks native-side tokens or burns OptimismMintable ones and sends `finalizeBridgeERC20` to the
/// other bridge; `finalizeBridgeERC20` mints OptimismMintable tokens or releases locked ones. Same function
/// signatures and checks (only the other bridge via the messenger, token pair checked by ERC-165).
contract StandardBridgeStandIn {
    using SafeERC20 for IERC20;

    MockMessenger public immutable messenger;
    StandardBridgeStandIn public otherBridge;
    mapping(address localToken => mapping(address remoteToken => uint256)) public deposits;

    event ERC20BridgeInitiated(
        address indexed localToken,
        address indexed remoteToken,
        address indexed from,
        address to,
        uint256 amount,
        bytes extraData
    );
    event ERC20BridgeFinalized(
        address indexed localToken,
        address indexed remoteToken,
        address indexed from,
        address to,
        uint256 amount,
        bytes extraData
    );

    constructor(MockMessenger messenger_) {
        messenger = messenger_;
    }

    function setOtherBridge(StandardBridgeStandIn other_) external {
        otherBridge = other_;
    }

    function bridgeERC20To(
        address _localToken,
        address _remoteToken,
        address _to,
        uint256 _amount,
        uint32 _minGasLimit,
        bytes calldata _extraData
    ) external {
        if (_isOptimismMintableERC20(_localToken)) {
            require(_isCorrectTokenPair(_localToken, _remoteToken), "StandardBridge: wrong remote token");
            IOptimismMintableERC20(_localToken).burn(msg.sender, _amount);
        } else {
            IERC20(_localToken).safeTransferFrom(msg.sender, address(this), _amount);
            deposits[_localToken][_remoteToken] += _amount;
        }
        emit ERC20BridgeInitiated(_localToken, _remoteToken, msg.sender, _to, _amount, _extraData);
        messenger.sendMessage(
            address(otherBridge),
            abi.encodeCall(this.finalizeBridgeERC20, (_remoteToken, _localToken, msg.sender, _to, _amount, _extraData)),
            _minGasLimit
        );
    }

    function finalizeBridgeERC20(
        address _localToken,
        address _remoteToken,
        address _from,
        address _to,
        uint256 _amount,
        bytes calldata _extraData
    ) external {
        require(
            msg.sender == address(messenger) && messenger.xDomainMessageSender() == address(otherBridge),
            "StandardBridge: function can only be called from the other bridge"
        );
        if (_isOptimismMintableERC20(_localToken)) {
            require(_isCorrectTokenPair(_localToken, _remoteToken), "StandardBridge: wrong remote token");
            IOptimismMintableERC20(_localToken).mint(_to, _amount);
        } else {
            deposits[_localToken][_remoteToken] -= _amount;
            IERC20(_localToken).safeTransfer(_to, _amount);
        }
        emit ERC20BridgeFinalized(_localToken, _remoteToken, _from, _to, _amount, _extraData);
    }

    function _isOptimismMintableERC20(address token) internal view returns (bool) {
        return ERC165Checker.supportsInterface(token, type(ILegacyMintableERC20).interfaceId)
            || ERC165Checker.supportsInterface(token, type(IOptimismMintableERC20).interfaceId);
    }

    function _isCorrectTokenPair(address mintable, address other) internal view returns (bool) {
        if (ERC165Checker.supportsInterface(mintable, type(ILegacyMintableERC20).interfaceId)) {
            return other == ILegacyMintableERC20(mintable).l1Token();
        }
        return other == IOptimismMintableERC20(mintable).remoteToken();
    }
}
