"""Auto-checks of chapter 09's exercises (going faster: mixed precision, compile,
many processes).

Serves notebooks/{ko,en}/09_*.ipynb through dcgan_lib.exercises.check("09.k", ...).
"""

from __future__ import annotations

import torch
from torch import nn

from .verdicts import (
    Verdict,
    as_integer,
    call_failed,
    call_safely,
    close_float,
    format_error,
    right,
    wrong,
)

_VARIANCE_HINTS = (
    "Each share's variance is measured around its own mean. The batch's variance "
    "adds how far those means lie from the batch's mean: mean of the variances + "
    "mean of (share mean - batch mean)^2, the latter divided by the number of "
    "shares, not that number minus 1.",
    "몫마다의 분산은 그 몫 자신의 평균을 기준으로 잰 값입니다. 배치의 분산에는 그 "
    "평균들이 배치 평균에서 얼마나 떨어져 있는지가 더해집니다: 분산들의 평균 + "
    "(몫의 평균 - 배치 평균)^2의 평균. 뒤의 평균은 몫의 개수로 나누고, 개수에서 1을 "
    "빼지 않습니다.",
)


def _check_09_1(answer) -> Verdict:
    """answer(means, variances): the batch's per-channel variance from equal shares'
    means and (biased) variances, each of shape (shares, channels)."""
    if not callable(answer) or isinstance(answer, nn.Module):
        return format_error(
            "a function batch_variance(means, variances)",
            "함수 batch_variance(means, variances)",
            *_VARIANCE_HINTS,
        )
    generator = torch.Generator().manual_seed(90)
    for shares, per_share, channels in ((2, 32, 5), (4, 16, 3), (8, 8, 6)):
        x = torch.randn(shares, per_share, channels, generator=generator)
        x = x * torch.rand(shares, 1, channels, generator=generator) * 2
        x = (x + torch.randn(shares, 1, channels, generator=generator)).double()
        means, variances = x.mean(dim=1), x.var(dim=1, unbiased=False)
        expected = x.reshape(-1, channels).var(dim=0, unbiased=False)
        got, error = call_safely(answer, means.clone(), variances.clone())
        if error is not None:
            return call_failed(error, *_VARIANCE_HINTS)
        if got.shape != expected.shape:
            return wrong(
                f"for {shares} shares of {channels} channels it returned shape "
                f"{tuple(got.shape)}, not ({channels},): one variance per channel.",
                f"몫 {shares}개, 채널 {channels}개에 모양 {tuple(got.shape)}을(를) "
                f"돌려주었습니다. 채널마다 분산 하나, 모양 ({channels},)이어야 합니다.",
                *_VARIANCE_HINTS,
            )
        if torch.allclose(got, expected, rtol=1e-5, atol=1e-8):
            continue
        spread = ((means - means.mean(dim=0)) ** 2).mean(dim=0)
        traps = [
            (
                variances.mean(dim=0),
                "that is the mean of the shares' variances: it leaves out how far "
                "the shares' means lie apart, so it comes out too small.",
                "몫들의 분산의 평균입니다. 몫들의 평균이 서로 얼마나 떨어져 있는지가 "
                "빠져서 너무 작게 나옵니다.",
            ),
            (
                variances.mean(dim=0) + means.var(dim=0, unbiased=True),
                "the spread of the means is divided by the number of shares minus 1; "
                "every digit counts once, so divide by the number of shares.",
                "평균들의 퍼짐을 몫의 개수에서 1을 뺀 값으로 나누었습니다. "
                "숫자 하나하나가 한 번씩 세어지므로 몫의 개수로 나누어야 합니다.",
            ),
            (
                variances.sqrt().mean(dim=0) ** 2,
                "that averages standard deviations, and still leaves out the spread "
                "of the means.",
                "표준편차를 평균했고, 평균들의 퍼짐도 여전히 빠져 있습니다.",
            ),
            (
                spread,
                "that is only the spread of the shares' means; add the shares' own "
                "variances.",
                "몫들의 평균이 퍼진 정도뿐입니다. 몫마다의 분산을 더하세요.",
            ),
            (
                variances.sum(dim=0),
                "that is the sum of the variances, not a variance of the batch.",
                "분산들의 합입니다. 배치의 분산이 아닙니다.",
            ),
        ]
        for value, why_en, why_ko in traps:
            if torch.allclose(got, value, rtol=1e-5, atol=1e-8):
                return wrong(why_en, why_ko, *_VARIANCE_HINTS)
        return wrong(
            f"for {shares} shares the values differ from the variance of the whole "
            "batch.",
            f"몫 {shares}개일 때 배치 전체의 분산과 값이 다릅니다.",
            *_VARIANCE_HINTS,
        )
    return right()


def _check_09_2(answer) -> Verdict:
    """Steps after which compiling (45 s) pays off at 120 ms eager, 90 ms compiled."""
    return close_float(
        answer,
        45 / (0.120 - 0.090),
        (
            "Compiling costs 45 s once; each compiled step then saves 120 - 90 = "
            "30 ms. How many steps until the savings add up to 45 s?",
            "컴파일은 한 번에 45초가 듭니다. 그 뒤 컴파일된 단계마다 120 - 90 = 30ms를 "
            "아낍니다. 아낀 시간이 45초가 되려면 몇 단계가 필요할까요?",
        ),
        traps=(
            (
                45 / 0.120,
                "that is how many eager steps fit into the compile time; what counts "
                "is the time each step saves.",
                "컴파일 시간 동안 즉시 실행 단계가 몇 번 도는지입니다. 중요한 것은 "
                "단계마다 아끼는 시간입니다.",
            ),
            (
                45 / 0.090,
                "that is how many compiled steps fit into the compile time; what "
                "counts is the time each step saves.",
                "컴파일 시간 동안 컴파일된 단계가 몇 번 도는지입니다. 중요한 것은 "
                "단계마다 아끼는 시간입니다.",
            ),
            (
                1.5,
                "that is in thousands, or 45 / 30 with seconds and milliseconds "
                "mixed: give the number of steps.",
                "천 단위이거나, 초와 밀리초를 섞은 45 / 30입니다. 단계 수로 답하세요.",
            ),
        ),
        tol=0.5,
    )


_EPOCH_HINTS = (
    "In dcgan_lib the batch size is the batch of all processes together: each of "
    "the 4 processes takes 64 / 4 = 16 digits of every batch. How many whole "
    "batches of 64 does an epoch of 5,000 digits hold?",
    "dcgan_lib에서 배치 크기는 모든 프로세스를 합친 배치입니다. "
    "프로세스 4개가 배치마다 64 / 4 = 16개씩 나눠 가집니다. "
    "숫자 5,000개의 에폭에는 64개짜리 배치가 몇 개 온전히 들어갈까요?",
)


def _check_09_3(answer) -> Verdict:
    """Steps in an epoch of 5,000 digits, batch 64, under torchrun with 4 processes."""
    value = as_integer(answer)
    if value is None:
        return format_error("one whole number", "정수 하나", *_EPOCH_HINTS)
    if value == 5000 // 64:
        return right(
            "4 processes share each batch: the same steps, each a quarter of the "
            "work per process.",
            "프로세스 4개가 배치 하나를 나눠 맡습니다. 단계 수는 같고, 프로세스마다 "
            "일이 4분의 1입니다.",
        )
    traps = {
        5000 // (64 * 4): (
            "that counts 64 digits per process (PyTorch's DistributedSampler "
            "convention); here batch_size is split between the processes.",
            "프로세스마다 64개로 셌습니다(PyTorch DistributedSampler의 관례). "
            "여기서는 batch_size를 프로세스들이 나눠 가집니다.",
        ),
        5000 // 16: (
            "that is how many batches of 16 one process would take alone; the 4 "
            "processes take their 16 each in the same step.",
            "한 프로세스가 16개씩 혼자 가져갈 때의 배치 수입니다. 프로세스 4개는 같은 "
            "단계에서 16개씩 가져갑니다.",
        ),
        -(-5000 // 64): (
            "an epoch ends before its last, partial batch (5,000 is not a multiple "
            "of 64).",
            "에폭은 마지막의 모자란 배치 앞에서 끝납니다"
            "(5,000은 64의 배수가 아닙니다).",
        ),
    }
    if value in traps:
        return wrong(
            f"{value}: {traps[value][0]}",
            f"{value}: {traps[value][1]}",
            *_EPOCH_HINTS,
        )
    return wrong(f"{value} is not it.", f"{value}은(는) 답이 아닙니다.", *_EPOCH_HINTS)


_UNDERFLOW_HINTS = (
    "Cast to float16 and count what became exactly 0 among the values that were not "
    "0 before; divide by how many were not 0. float16 has subnormal numbers down to "
    "2^-24 and rounds to the nearest number (a tie to the one with an even last "
    "bit): compare the cast values with 0, not the originals with a threshold.",
    "float16으로 바꾼 뒤, 원래 0이 아니었던 값 가운데 정확히 0이 된 것을 세어 0이 "
    "아니었던 값의 개수로 나누세요. float16에는 2^-24까지 내려가는 비정규 수가 "
    "있고, 값은 가장 가까운 수로 반올림됩니다(정확히 한가운데면 마지막 비트가 "
    "짝수인 쪽으로). 원래 값을 문턱값과 비교하지 말고, 바꾼 값을 0과 비교하세요.",
)


def _check_09_4(answer) -> Verdict:
    """answer(grads): the share of non-zero float32 values that float16 makes 0."""
    if not callable(answer) or isinstance(answer, nn.Module):
        return format_error(
            "a function lost_in_fp16(grads)",
            "함수 lost_in_fp16(grads)",
            *_UNDERFLOW_HINTS,
        )
    generator = torch.Generator().manual_seed(94)
    grads = torch.exp2(-40 * torch.rand(4000, generator=generator)) * torch.sign(
        torch.randn(4000, generator=generator)
    )
    grads[:200] = 0  # zeros that were zeros already do not count
    grads[200:210] = 2.0**-25 * 1.5  # rounds up to 2^-24: kept
    grads[210:220] = 2.0**-14 / 3  # subnormal: kept, with fewer digits
    grads[220:230] = 2.0**-25  # a tie between 0 and 2^-24: to the even one, 0
    grads = grads.float()
    nonzero = grads != 0
    expected = ((grads.half() == 0) & nonzero).sum().item() / nonzero.sum().item()
    got, error = call_safely(answer, grads.clone())
    if error is not None:
        return call_failed(error, *_UNDERFLOW_HINTS)
    if got.numel() != 1:
        return wrong(
            f"it returned {got.numel()} values: return one share (a number between "
            "0 and 1).",
            f"값을 {got.numel()}개 돌려주었습니다. 비율 하나(0과 1 사이의 수)를 "
            "돌려주세요.",
            *_UNDERFLOW_HINTS,
        )
    value = got.item()
    if abs(value - expected) < 1e-6:
        return right()
    n = nonzero.sum().item()
    traps = [
        (
            ((grads.abs() < 2.0**-14) & nonzero).sum().item() / n,
            "that counts everything below float16's smallest normal number; the "
            "subnormal numbers below it are still stored (with fewer digits).",
            "float16의 최소 정규 수보다 작은 값을 모두 세었습니다. 그 아래의 비정규 "
            "수도 (자릿수는 적지만) 저장됩니다.",
        ),
        (
            ((grads.abs() < 2.0**-24) & nonzero).sum().item() / n,
            "that counts everything below 2^-24; values above half of it round up "
            "to 2^-24 instead of to 0.",
            "2^-24보다 작은 값을 모두 세었습니다. 그 절반보다 큰 값은 0이 아니라 "
            "2^-24로 반올림됩니다.",
        ),
        (
            ((grads.abs() < 2.0**-25) & nonzero).sum().item() / n,
            "that misses the values exactly halfway between 0 and 2^-24: a tie "
            "rounds to the neighbour with an even last bit, which is 0.",
            "0과 2^-24의 정확히 한가운데인 값을 빠뜨렸습니다. 한가운데 값은 마지막 "
            "비트가 짝수인 쪽, 곧 0으로 반올림됩니다.",
        ),
        (
            (grads.half() == 0).float().mean().item(),
            "that also counts the values that were 0 already: count only the "
            "non-zero ones.",
            "원래 0이던 값까지 세었습니다. 0이 아니던 값만 세세요.",
        ),
        (
            ((grads.bfloat16() == 0) & nonzero).sum().item() / n,
            "that is bfloat16, which keeps float32's range: the question is float16.",
            "bfloat16입니다. bfloat16은 float32의 범위를 그대로 가집니다. 물은 것은 "
            "float16입니다.",
        ),
        (
            100 * expected,
            "that is a percentage: give the share between 0 and 1.",
            "백분율입니다. 0과 1 사이의 비율로 답하세요.",
        ),
    ]
    for trap, why_en, why_ko in traps:
        if abs(value - trap) < 1e-6:
            return wrong(why_en, why_ko, *_UNDERFLOW_HINTS)
    return wrong(
        f"{value:.4g} is not the share of non-zero values that float16 stores as 0.",
        f"{value:.4g}은(는) 0이 아니던 값 가운데 float16에서 0이 되는 비율이 아닙니다.",
        *_UNDERFLOW_HINTS,
    )


CHECKS = {
    "09.1": _check_09_1,
    "09.2": _check_09_2,
    "09.3": _check_09_3,
    "09.4": _check_09_4,
}
