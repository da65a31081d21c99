// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IPaymentChannels} from "../interfaces/IPaymentChannels.sol";

/// @title PaymentsSplitLib
/// @notice The fee split of a redeemed amount (PROTOCOL.md, "Money routes"): `treasuryBps` of X to the treasury,
/// `nodeBps` of X to the node, of the remainder R = X - treasury share - node share, `ownerBps` of R to the model
/// owner and the rest to the model's data pool. Every part is floored and the dust goes to the treasury, so the four
/// parts always sum exactly to X.
library PaymentsSplitLib {
    /// @dev Basis points in one whole.
    uint256 internal constant BPS = 10_000;

    /// @notice Splits `amount`. Requires `treasuryBps + nodeBps <= BPS` and `ownerBps <= BPS` (checked by callers).
    function split(uint256 amount, uint256 treasuryBps, uint256 nodeBps, uint256 ownerBps)
        internal
        pure
        returns (IPaymentChannels.Split memory s)
    {
        s.nodePart = amount * nodeBps / BPS;
        // R, floored, as the share of X left after the treasury and node shares.
        uint256 rest = amount * (BPS - treasuryBps - nodeBps) / BPS;
        s.ownerPart = rest * ownerBps / BPS;
        s.poolPart = rest * (BPS - ownerBps) / BPS;
        // floor(X * treasuryBps / BPS) plus every flooring remainder: the parts sum exactly to `amount`.
        s.treasuryPart = amount - s.nodePart - s.ownerPart - s.poolPart;
    }
}
