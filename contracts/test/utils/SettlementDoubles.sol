// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IModelTerms} from "../../src/interfaces/IModelTerms.sol";
import {IOperatorStaking} from "../../src/interfaces/IOperatorStaking.sol";
import {OperatorRole} from "../../src/types/Roles.sol";

/// @notice Test double of the ModelRegistry's revenue terms (IModelTerms), until the real registry is on main.
contract SettlementModelTermsDouble is IModelTerms {
    error ModelNotFound(uint256 modelId);

    struct Terms {
        address owner;
        uint16 ownerBps;
        uint256 price;
        bool exists;
    }

    mapping(uint256 => Terms) public terms;

    function setTerms(uint256 modelId, address owner, uint16 ownerBps, uint256 price) external {
        terms[modelId] = Terms(owner, ownerBps, price, true);
    }

    function revenueTerms(uint256 modelId) external view returns (address, uint16, uint256) {
        Terms memory t = terms[modelId];
        if (!t.exists) revert ModelNotFound(modelId);
        return (t.owner, t.ownerBps, t.price);
    }
}

/// @notice Test double of the StakingRegistry (IOperatorStaking): settable activity, and `notifyReward` pulls OPEN
/// and splits it like the real registry (commission to the operator, the rest to a delegators' pot).
contract SettlementStakingDouble is IOperatorStaking {
    using SafeERC20 for IERC20;

    IERC20 public immutable token;
    uint16 public commissionBps = 1_000;
    mapping(address => bool) public active;
    mapping(address => uint256) public commissionOf;
    mapping(address => uint256) public delegatorPotOf;
    uint256 public totalNotified;

    event RewardNotified(address indexed operator, uint256 amount);

    constructor(IERC20 token_) {
        token = token_;
    }

    function setActive(address operator, bool isActive) external {
        active[operator] = isActive;
    }

    function isActiveOperator(address operator, OperatorRole role) external view returns (bool) {
        return role == OperatorRole.Node && active[operator];
    }

    function notifyReward(address operator, uint256 amount) external {
        uint256 commission = amount * commissionBps / 10_000;
        commissionOf[operator] += commission;
        delegatorPotOf[operator] += amount - commission;
        totalNotified += amount;
        emit RewardNotified(operator, amount);
        token.safeTransferFrom(msg.sender, address(this), amount);
    }

    function getPastStakedVotes(address, uint256) external pure returns (uint256) {
        return 0;
    }

    function getPastTotalStaked(uint256) external pure returns (uint256) {
        return 0;
    }
}
