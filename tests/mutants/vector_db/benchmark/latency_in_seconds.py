"""Reports latencies in seconds under the _ms columns."""

PATCHES = [("                     \"p50_ms\": round(float(np.percentile(latencies, 50)) * 1e3, 3),\n"
            "                     \"p95_ms\": round(float(np.percentile(latencies, 95)) * 1e3, 3),",
            "                     \"p50_ms\": round(float(np.percentile(latencies, 50)), 3),\n"
            "                     \"p95_ms\": round(float(np.percentile(latencies, 95)), 3),")]
TESTS = ["test_benchmark_reports_build_time_latency_and_recall"]
