"""The retransmission timeout estimator of RFC 6298."""

from dataclasses import dataclass

K = 4
ALPHA = 1 / 8
BETA = 1 / 4
GRANULARITY = 0.001  # G, the clock granularity in seconds
MAX_DOUBLINGS = 64   # 2**64 × any base exceeds every ceiling: the exponent need not grow further


def backoff(base, doublings, ceiling):
    """base × 2**doublings, at most *ceiling*: the one exponential backoff of every timer."""
    return min(ceiling, base * 2 ** min(doublings, MAX_DOUBLINGS))


@dataclass
class RtoEstimator:
    """SRTT, RTTVAR and RTO, updated from RTT samples and doubled on each timeout."""

    initial: float = 1.0
    minimum: float = 1.0
    maximum: float = 60.0
    srtt: float | None = None
    rttvar: float | None = None
    rto: float = 0.0
    backoff: int = 0

    def __post_init__(self):
        self.rto = self.initial

    def sample(self, rtt):
        """Take one RTT measurement (RFC 6298 §2.2 and §2.3); resets the backoff."""
        if self.srtt is None:
            self.srtt = rtt
            self.rttvar = rtt / 2
        else:
            self.rttvar = (1 - BETA) * self.rttvar + BETA * abs(self.srtt - rtt)
            self.srtt = (1 - ALPHA) * self.srtt + ALPHA * rtt
        self.backoff = 0
        self.rto = self._clamp(self.srtt + max(GRANULARITY, K * self.rttvar))

    def timed_out(self):
        """Back off: RTO <- 2 × RTO (RFC 6298 §5.5), at most the maximum."""
        self.backoff += 1
        self.rto = self._clamp(backoff(self.rto, 1, self.maximum))

    def _clamp(self, value):
        return min(self.maximum, max(self.minimum, value))
