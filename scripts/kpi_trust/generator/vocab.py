"""Vocabularies and the fixed structure of the simulated world.

The numbers here are the "truth" an analyst should be able to rediscover from the logs (which
region is slow, which document type fails on which client, when players play). They are fixed
constants rather than seed-drawn so that tests and docs can name them; the seed only drives the
noise, the release calendar and the incident schedule.
"""

from __future__ import annotations

import numpy as np

# --------------------------------------------------------------------------------------------
# API-call log
# --------------------------------------------------------------------------------------------

# name, traffic weight, median latency (ms), lognormal sigma, timeout (ms), family
APIS: tuple[tuple[str, float, float, float, float, str], ...] = (
    ("document_ocr", 0.12, 850.0, 0.45, 15_000.0, "document"),
    ("document_authenticity", 0.08, 1_400.0, 0.50, 20_000.0, "document"),
    ("mrz_parse", 0.05, 180.0, 0.40, 4_000.0, "document"),
    ("nfc_chip_read", 0.03, 2_200.0, 0.55, 30_000.0, "document"),
    ("face_match", 0.11, 420.0, 0.40, 8_000.0, "biometric"),
    ("liveness_check", 0.09, 1_150.0, 0.50, 15_000.0, "biometric"),
    ("selfie_quality", 0.04, 160.0, 0.35, 3_000.0, "biometric"),
    ("age_estimation", 0.02, 300.0, 0.40, 5_000.0, "biometric"),
    ("aml_screening", 0.08, 320.0, 0.55, 6_000.0, "screening"),
    ("pep_screening", 0.04, 280.0, 0.55, 6_000.0, "screening"),
    ("sanctions_screening", 0.04, 260.0, 0.50, 6_000.0, "screening"),
    ("address_verification", 0.06, 520.0, 0.60, 10_000.0, "data"),
    ("phone_verification", 0.05, 240.0, 0.50, 5_000.0, "data"),
    ("email_risk", 0.04, 120.0, 0.45, 3_000.0, "data"),
    ("device_fingerprint", 0.05, 60.0, 0.40, 2_000.0, "data"),
    ("ip_geolocation", 0.03, 35.0, 0.35, 1_500.0, "data"),
    ("database_lookup", 0.04, 650.0, 0.60, 12_000.0, "data"),
    ("fraud_score", 0.03, 210.0, 0.45, 4_000.0, "data"),
)
API_NAMES = tuple(a[0] for a in APIS)
API_WEIGHTS = np.array([a[1] for a in APIS]) / sum(a[1] for a in APIS)
API_MEDIAN_MS = np.array([a[2] for a in APIS])
API_SIGMA = np.array([a[3] for a in APIS])
API_TIMEOUT_MS = np.array([a[4] for a in APIS])
API_FAMILY = tuple(a[5] for a in APIS)
# Base failure logit per family (~2.5-6% failures before region/document/client effects).
FAMILY_FAILURE_LOGIT = {"document": -2.9, "biometric": -3.1, "screening": -3.6, "data": -3.4}

# name, traffic weight, latency multiplier, UTC offset of its business day (hours)
REGIONS: tuple[tuple[str, float, float, int], ...] = (
    ("eu-west", 0.26, 1.00, 1),
    ("us-east", 0.22, 0.95, -5),
    ("us-west", 0.10, 1.05, -8),
    ("ap-south", 0.14, 1.60, 5),
    ("ap-southeast", 0.10, 1.35, 8),
    ("sa-east", 0.09, 1.45, -3),
    ("me-central", 0.05, 1.25, 4),
    ("af-south", 0.04, 1.70, 2),
)
REGION_NAMES = tuple(r[0] for r in REGIONS)
REGION_WEIGHTS = np.array([r[1] for r in REGIONS]) / sum(r[1] for r in REGIONS)
REGION_LATENCY = np.array([r[2] for r in REGIONS])
REGION_UTC_OFFSET = np.array([r[3] for r in REGIONS])
REGION_FAILURE_LOGIT = np.array([0.0, -0.1, 0.0, 0.35, 0.2, 0.3, 0.15, 0.45])

# name, weight, latency multiplier, failure logit effect
CLIENTS: tuple[tuple[str, float, float, float], ...] = (
    ("web", 0.34, 1.10, 0.25),
    ("ios", 0.22, 1.00, -0.15),
    ("android", 0.26, 1.05, 0.10),
    ("server_sdk", 0.13, 0.90, -0.40),
    ("partner_batch", 0.05, 1.20, 0.05),
)
CLIENT_NAMES = tuple(c[0] for c in CLIENTS)
CLIENT_WEIGHTS = np.array([c[1] for c in CLIENTS]) / sum(c[1] for c in CLIENTS)
CLIENT_LATENCY = np.array([c[2] for c in CLIENTS])
CLIENT_FAILURE_LOGIT = np.array([c[3] for c in CLIENTS])

# name, latency multiplier, failure logit effect
DOCUMENTS: tuple[tuple[str, float, float], ...] = (
    ("passport", 1.00, -0.10),
    ("national_id", 0.95, 0.00),
    ("driving_licence", 1.05, 0.15),
    ("residence_permit", 1.10, 0.25),
    ("utility_bill", 1.25, 0.35),
    ("bank_statement", 1.35, 0.30),
)
DOCUMENT_NAMES = tuple(d[0] for d in DOCUMENTS)
DOCUMENT_LATENCY = np.array([d[1] for d in DOCUMENTS])
DOCUMENT_FAILURE_LOGIT = np.array([d[2] for d in DOCUMENTS])
# Document mix per region (rows follow REGION_NAMES, columns DOCUMENT_NAMES): ID cards in
# Europe and LatAm, licences in the US, passports in Asia and the Middle East.
REGION_DOCUMENT_MIX = np.array(
    [
        [0.30, 0.34, 0.14, 0.10, 0.07, 0.05],
        [0.22, 0.08, 0.42, 0.08, 0.11, 0.09],
        [0.24, 0.08, 0.40, 0.09, 0.10, 0.09],
        [0.36, 0.30, 0.10, 0.06, 0.10, 0.08],
        [0.40, 0.26, 0.12, 0.08, 0.08, 0.06],
        [0.20, 0.44, 0.16, 0.06, 0.08, 0.06],
        [0.46, 0.22, 0.10, 0.12, 0.05, 0.05],
        [0.34, 0.30, 0.14, 0.06, 0.09, 0.07],
    ]
)
REGION_DOCUMENT_MIX = REGION_DOCUMENT_MIX / REGION_DOCUMENT_MIX.sum(axis=1, keepdims=True)

# Interaction effects on the failure logit, the structure an analyst should find:
# ((dimension a, value a), (dimension b, value b), logit effect)
FAILURE_INTERACTIONS: tuple[tuple[str, str, str, str, float], ...] = (
    ("region", "ap-south", "document", "driving_licence", 1.10),
    ("region", "sa-east", "document", "national_id", 0.85),
    ("region", "af-south", "document", "utility_bill", 0.90),
    ("client", "android", "document", "passport", 0.80),  # NFC reads on cheap phones
    ("client", "web", "document", "utility_bill", 0.65),  # webcam photos of paper
    ("client", "partner_batch", "document", "bank_statement", 0.70),
    ("region", "us-east", "client", "server_sdk", -0.50),
)

# name, http status
ERROR_REASONS: tuple[tuple[str, int], ...] = (
    ("blurry_image", 422),
    ("glare_detected", 422),
    ("document_expired", 422),
    ("unsupported_document", 422),
    ("mrz_unreadable", 422),
    ("face_mismatch", 422),
    ("liveness_failed", 422),
    ("watchlist_unavailable", 502),
    ("address_not_found", 404),
    ("invalid_request", 400),
    ("rate_limited", 429),
    ("internal_error", 500),
    ("upstream_unavailable", 503),
    ("upstream_timeout", 504),
)
ERROR_REASON_NAMES = tuple(e[0] for e in ERROR_REASONS)
ERROR_REASON_HTTP = np.array([e[1] for e in ERROR_REASONS])
TIMEOUT_REASON = ERROR_REASON_NAMES.index("upstream_timeout")

# Relative weights of failure reasons per API family (timeouts excluded: they come from latency).
_FAMILY_REASON_WEIGHTS: dict[str, dict[str, float]] = {
    "document": {
        "blurry_image": 3.0,
        "glare_detected": 2.0,
        "document_expired": 1.5,
        "unsupported_document": 1.0,
        "mrz_unreadable": 1.5,
        "invalid_request": 0.5,
        "rate_limited": 0.3,
        "internal_error": 0.4,
        "upstream_unavailable": 0.3,
    },
    "biometric": {
        "face_mismatch": 2.5,
        "liveness_failed": 2.5,
        "blurry_image": 1.5,
        "glare_detected": 0.6,
        "invalid_request": 0.5,
        "rate_limited": 0.3,
        "internal_error": 0.4,
        "upstream_unavailable": 0.2,
    },
    "screening": {
        "watchlist_unavailable": 2.5,
        "upstream_unavailable": 1.5,
        "invalid_request": 1.2,
        "rate_limited": 1.0,
        "internal_error": 0.8,
    },
    "data": {
        "address_not_found": 2.0,
        "invalid_request": 2.0,
        "rate_limited": 1.0,
        "internal_error": 1.0,
        "upstream_unavailable": 1.0,
    },
}
# API-specific emphasis inside a family (e.g. face_match fails on mismatches, not liveness).
_API_REASON_BOOST: dict[str, dict[str, float]] = {
    "face_match": {"face_mismatch": 3.0, "liveness_failed": 0.1},
    "liveness_check": {"liveness_failed": 3.0, "face_mismatch": 0.1},
    "selfie_quality": {"face_mismatch": 0.1, "liveness_failed": 0.3, "blurry_image": 3.0},
    "age_estimation": {"face_mismatch": 0.2, "liveness_failed": 0.5},
    "mrz_parse": {"mrz_unreadable": 4.0, "glare_detected": 0.5},
    "nfc_chip_read": {"unsupported_document": 3.0, "blurry_image": 0.1, "glare_detected": 0.1},
    "address_verification": {"address_not_found": 4.0},
    "phone_verification": {"address_not_found": 0.0},
    "email_risk": {"address_not_found": 0.0},
    "device_fingerprint": {"address_not_found": 0.0},
    "ip_geolocation": {"address_not_found": 0.0},
    "fraud_score": {"address_not_found": 0.0},
}
# Document-specific emphasis (bills have no MRZ and rarely expire; licences glare).
_DOCUMENT_REASON_BOOST: dict[str, dict[str, float]] = {
    "passport": {"mrz_unreadable": 1.5},
    "national_id": {"mrz_unreadable": 1.0},
    "driving_licence": {"glare_detected": 1.8, "mrz_unreadable": 0.2},
    "residence_permit": {"document_expired": 2.0},
    "utility_bill": {"mrz_unreadable": 0.0, "document_expired": 0.4, "blurry_image": 1.6},
    "bank_statement": {"mrz_unreadable": 0.0, "unsupported_document": 2.5},
}


def reason_cdf() -> np.ndarray:
    """Cumulative failure-reason probabilities, shape (api, document, reason).

    Sampling a reason is then one uniform draw and a comparison against the row's CDF, which
    keeps the conditional structure (reason | api, document) without per-row Python.
    """
    table = np.zeros((len(APIS), len(DOCUMENTS), len(ERROR_REASONS)))
    for a, name in enumerate(API_NAMES):
        base = _FAMILY_REASON_WEIGHTS[API_FAMILY[a]]
        for d, doc in enumerate(DOCUMENT_NAMES):
            for r, reason in enumerate(ERROR_REASON_NAMES):
                weight = base.get(reason, 0.0)
                weight *= _API_REASON_BOOST.get(name, {}).get(reason, 1.0)
                if API_FAMILY[a] == "document":
                    weight *= _DOCUMENT_REASON_BOOST[doc].get(reason, 1.0)
                table[a, d, r] = weight
    table /= table.sum(axis=2, keepdims=True)
    return np.cumsum(table, axis=2)


def failure_interaction_logit() -> np.ndarray:
    """Interaction effects as a dense (region, client, document) logit array."""
    out = np.zeros((len(REGIONS), len(CLIENTS), len(DOCUMENTS)))
    index = {"region": REGION_NAMES, "client": CLIENT_NAMES, "document": DOCUMENT_NAMES}
    axis = {"region": 0, "client": 1, "document": 2}
    for dim_a, val_a, dim_b, val_b, effect in FAILURE_INTERACTIONS:
        sl: list[slice | int] = [slice(None)] * 3
        sl[axis[dim_a]] = index[dim_a].index(val_a)
        sl[axis[dim_b]] = index[dim_b].index(val_b)
        out[tuple(sl)] += effect
    return out


# Day-of-week factors (Monday first), mean 1: identity checks follow the working week.
API_WEEKLY = np.array([1.08, 1.10, 1.08, 1.06, 1.00, 0.85, 0.83])
# Local-time hourly shape of API traffic (business hours with an evening tail).
API_LOCAL_HOURLY = np.array(
    [0.25, 0.18, 0.14, 0.12, 0.13, 0.2, 0.35, 0.6, 0.9, 1.15, 1.3, 1.35]
    + [1.3, 1.3, 1.35, 1.35, 1.3, 1.2, 1.1, 1.0, 0.9, 0.75, 0.55, 0.38]
)

# What a quarantine-heavy day writes into its required text column (api `status`, game
# `event_name`): a placeholder no staging vocabulary accepts. Typed columns (latency_ms,
# timestamps) cannot hold text in the Parquet output, so the corruption lives in a text column.
UNPARSEABLE = "n/a"
STATUS_NAMES = ("success", "failure", "timeout", "SUCCESS", "FAILURE", "TIMEOUT", UNPARSEABLE)
STATUS_UNPARSEABLE = STATUS_NAMES.index(UNPARSEABLE)

# --------------------------------------------------------------------------------------------
# Game-event log
# --------------------------------------------------------------------------------------------

PLATFORMS: tuple[tuple[str, float], ...] = (("ios", 0.41), ("android", 0.45), ("web", 0.14))
PLATFORM_NAMES = tuple(p[0] for p in PLATFORMS)
PLATFORM_WEIGHTS = np.array([p[1] for p in PLATFORMS])

# ISO-3166 alpha-2, weight, UTC offset (hours) of the players' evening
COUNTRIES: tuple[tuple[str, float, int], ...] = (
    ("US", 0.24, -6),
    ("BR", 0.10, -3),
    ("GB", 0.07, 0),
    ("DE", 0.07, 1),
    ("FR", 0.05, 1),
    ("IN", 0.10, 5),
    ("JP", 0.07, 9),
    ("KR", 0.04, 9),
    ("ID", 0.06, 7),
    ("MX", 0.06, -6),
    ("CA", 0.04, -5),
    ("TR", 0.04, 3),
    ("AU", 0.03, 10),
    ("PH", 0.03, 8),
)
COUNTRY_NAMES = tuple(c[0] for c in COUNTRIES)
COUNTRY_WEIGHTS = np.array([c[1] for c in COUNTRIES]) / sum(c[1] for c in COUNTRIES)
COUNTRY_UTC_OFFSET = np.array([c[2] for c in COUNTRIES])
# Higher-income markets convert better (logit shift on payer propensity).
COUNTRY_PAYER_LOGIT = np.array(
    [0.5, -0.3, 0.3, 0.3, 0.2, -0.8, 0.6, 0.5, -0.6, -0.3, 0.3, -0.4, 0.4, -0.5]
)

# name, weight, probability of never returning after the install day
CHANNELS: tuple[tuple[str, float, float], ...] = (
    ("organic", 0.36, 0.46),
    ("paid_social", 0.26, 0.60),
    ("paid_search", 0.18, 0.52),
    ("influencer", 0.10, 0.58),
    ("cross_promo", 0.10, 0.48),
)
CHANNEL_NAMES = tuple(c[0] for c in CHANNELS)
CHANNEL_WEIGHTS = np.array([c[1] for c in CHANNELS])
CHANNEL_CHURN0 = np.array([c[2] for c in CHANNELS])

EVENT_NAMES = ("session_start", "level_complete", "purchase", "in_app_purchase", UNPARSEABLE)
PRICES_REGULAR = (np.array([0.99, 1.99, 4.99, 9.99]), np.array([0.36, 0.30, 0.24, 0.10]))
PRICES_WHALE = (np.array([9.99, 19.99, 49.99, 99.99]), np.array([0.30, 0.30, 0.25, 0.15]))

# Day-of-week factors (Monday first), mean 1: players play more at weekends.
GAME_WEEKLY = np.array([0.92, 0.90, 0.93, 0.95, 1.03, 1.15, 1.12])
# Local-time hourly shape of play (commute, lunch, evening peak).
GAME_LOCAL_HOURLY = np.array(
    [0.5, 0.3, 0.18, 0.12, 0.1, 0.12, 0.3, 0.6, 0.75, 0.6, 0.55, 0.65]
    + [0.85, 0.8, 0.7, 0.7, 0.8, 0.95, 1.15, 1.4, 1.6, 1.6, 1.3, 0.9]
)
