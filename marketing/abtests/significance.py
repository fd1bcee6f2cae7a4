"""The arithmetic of an A/B test, with no Django in it: is variant B's rate (or revenue per
recipient) different from A's by more than chance would make it?

- Rates (human clicks, orders per recipient): the two-proportion z-test with the pooled
  proportion, two-sided. Recipients are thousands, so the normal approximation holds.
- Revenue per recipient: Welch's t-test (unequal variances), two-sided, from each group's count,
  sum and sum of squares, so the database can aggregate it; the p-value comes from Student's t
  distribution with the Welch–Satterthwaite degrees of freedom. Revenue is mostly zeros with a
  long tail; with the group sizes of a mailing the t-test's mean is what the shop banks, and it
  is the test the marketer's tools (Klaviyo, Mailchimp) report.
"""

import math
from dataclasses import dataclass

SIGNIFICANCE_LEVEL = 0.05


@dataclass(frozen=True)
class TestResult:
    statistic: float
    p_value: float

    @property
    def significant(self) -> bool:
        return self.p_value < SIGNIFICANCE_LEVEL


def two_proportion_z_test(*, successes_a: int, trials_a: int, successes_b: int, trials_b: int) -> TestResult | None:
    """z for p_b − p_a and its two-sided p-value; None while a group is empty. Equal rates of 0
    or 1 (no spread at all) give z = 0, p = 1: nothing tells the variants apart."""
    if not trials_a or not trials_b:
        return None
    p_a, p_b = successes_a / trials_a, successes_b / trials_b
    pooled = (successes_a + successes_b) / (trials_a + trials_b)
    error = math.sqrt(pooled * (1 - pooled) * (1 / trials_a + 1 / trials_b))
    if error == 0:
        return TestResult(statistic=0.0, p_value=1.0)
    z = (p_b - p_a) / error
    return TestResult(statistic=z, p_value=math.erfc(abs(z) / math.sqrt(2)))


@dataclass(frozen=True)
class Sample:
    """A group's values summarised as the database can sum them."""

    count: int
    total: float
    total_of_squares: float

    @property
    def mean(self) -> float:
        return self.total / self.count

    @property
    def variance(self) -> float:
        """The unbiased sample variance (n − 1)."""
        if self.count < 2:
            return 0.0
        return max((self.total_of_squares - self.total * self.total / self.count) / (self.count - 1), 0.0)

    @classmethod
    def of(cls, values) -> "Sample":
        values = [float(value) for value in values]
        return cls(count=len(values), total=sum(values), total_of_squares=sum(v * v for v in values))


@dataclass(frozen=True)
class WelchResult(TestResult):
    degrees_of_freedom: float = 0.0


def welch_t_test(a: Sample, b: Sample) -> WelchResult | None:
    """t for mean_b − mean_a, the Welch–Satterthwaite degrees of freedom and the two-sided
    p-value; None while a group has fewer than two values."""
    if a.count < 2 or b.count < 2:
        return None
    share_a, share_b = a.variance / a.count, b.variance / b.count
    error = math.sqrt(share_a + share_b)
    if error == 0:
        same = a.mean == b.mean
        return WelchResult(statistic=0.0 if same else math.copysign(math.inf, b.mean - a.mean),
                           p_value=1.0 if same else 0.0, degrees_of_freedom=a.count + b.count - 2)
    t = (b.mean - a.mean) / error
    freedom = (share_a + share_b) ** 2 / (share_a ** 2 / (a.count - 1) + share_b ** 2 / (b.count - 1))
    return WelchResult(statistic=t, p_value=student_t_two_sided(t, freedom), degrees_of_freedom=freedom)


def student_t_two_sided(t: float, freedom: float) -> float:
    """P(|T| ≥ |t|) for Student's t with `freedom` degrees of freedom: I_x(ν/2, 1/2), x = ν/(ν + t²)."""
    if math.isinf(t):
        return 0.0
    return regularized_incomplete_beta(freedom / (freedom + t * t), freedom / 2, 0.5)


def regularized_incomplete_beta(x: float, a: float, b: float) -> float:
    """I_x(a, b) by its continued fraction (modified Lentz), using the symmetry
    I_x(a, b) = 1 − I_{1−x}(b, a) where the fraction converges slowly."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    log_front = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    if x < (a + 1) / (a + b + 2):
        return math.exp(log_front) * _beta_fraction(x, a, b) / a
    return 1 - math.exp(log_front) * _beta_fraction(1 - x, b, a) / b


def _beta_fraction(x: float, a: float, b: float) -> float:
    tiny, epsilon = 1e-300, 1e-15
    c, d = 1.0, 1 - (a + b) * x / (a + 1)
    d = 1 / (d if abs(d) > tiny else tiny)
    fraction = d
    for m in range(1, 500):
        for numerator in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1 + numerator * d
            d = 1 / (d if abs(d) > tiny else tiny)
            c = 1 + numerator / c
            c = c if abs(c) > tiny else tiny
            fraction *= c * d
        if abs(c * d - 1) < epsilon:
            break
    return fraction
