// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {SettlementFixture} from "../utils/SettlementFixture.sol";
import {IPaymentChannels} from "../../src/interfaces/IPaymentChannels.sol";

/// @notice Gas of redeeming N channels' vouchers one call each vs one `redeemMany` (the housekeeper's batching), and
/// of `announceReceipts`. Each channel was redeemed once before (the steady state: credit slots already touched).
/// Figures are logged, never asserted (bench/RESULTS.md).
contract RedeemBatchGasBench is SettlementFixture {
    function _prepared(uint256 n) internal returns (IPaymentChannels.Redemption[] memory rs) {
        rs = new IPaymentChannels.Redemption[](n);
        for (uint256 i; i < n; ++i) {
            uint256 id = _open(100e18);
            channels.redeem(id, 1e18, _voucher(payerKey, id, 1e18));
            rs[i] = IPaymentChannels.Redemption(id, 2e18, _voucher(payerKey, id, 2e18));
        }
    }

    /// @dev Every contract a redemption touches starts cold, as in a fresh transaction.
    function _cool() internal {
        vm.cool(address(channels));
        vm.cool(address(token));
        vm.cool(address(models));
        vm.cool(address(staking));
    }

    function _measure(uint256 n) internal {
        IPaymentChannels.Redemption[] memory one = _prepared(n);
        uint256 single;
        for (uint256 i; i < n; ++i) {
            _cool();
            uint256 g0 = gasleft();
            channels.redeem(one[i].channelId, one[i].cumulativeAmount, one[i].signature);
            single += g0 - gasleft();
        }
        IPaymentChannels.Redemption[] memory many = _prepared(n);
        _cool();
        uint256 g = gasleft();
        channels.redeemMany(many);
        uint256 batched = g - gasleft();
        // Each separate call would also pay the 21,000 base and its calldata: add the base to compare transactions.
        emit log_named_uint("vouchers", n);
        emit log_named_uint("  separate calls, execution gas per voucher", single / n);
        emit log_named_uint("  separate transactions incl. 21k base, per voucher", single / n + 21_000);
        emit log_named_uint("  redeemMany, execution gas per voucher", batched / n);
        emit log_named_uint("  redeemMany incl. one 21k base, per voucher", (batched + 21_000) / n);
    }

    function test_redeemBatch_gas() public {
        _measure(1);
        _measure(10);
        _measure(50);
    }
}
