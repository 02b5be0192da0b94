package io.resh.campaign;

import io.resh.core.InjectedFault;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Synthetic injection records and results for tests of the tables and reports. */
final class Records {
    private Records() {
    }

    static InjectionRecord of(int index, InjectedFault kind, Outcome outcome, double detectMs, double recoverMs) {
        return new InjectionRecord(index, kind, index % 3, 4, 17, 1000L + index, 20L * index, 0,
                "detail <" + index + "> & \"quoted\"", outcome, "because " + outcome.label(), 20,
                outcome == Outcome.SILENT_DATA_CORRUPTION ? 2 : 0, detectMs >= 0 ? "crash" : "", detectMs, recoverMs, 0,
                300.5);
    }

    /** 7 crashes corrected, 3 reply corruptions (1 SDC, 2 corrected), 2 slow masked, 1 state latent. */
    static List<InjectionRecord> mixed() {
        List<InjectionRecord> out = new ArrayList<>();
        int i = 0;
        for (int k = 0; k < 7; k++) {
            out.add(of(i++, InjectedFault.CRASH, Outcome.DETECTED_CORRECTED, 3 + k, 200 + 10 * k));
        }
        out.add(of(i++, InjectedFault.REPLY_CORRUPTION, Outcome.SILENT_DATA_CORRUPTION, -1, -1));
        out.add(of(i++, InjectedFault.REPLY_CORRUPTION, Outcome.DETECTED_CORRECTED, 1, 150));
        out.add(of(i++, InjectedFault.REPLY_CORRUPTION, Outcome.DETECTED_CORRECTED, 2, 160));
        out.add(of(i++, InjectedFault.SLOW, Outcome.MASKED, -1, -1));
        out.add(of(i++, InjectedFault.SLOW, Outcome.MASKED, -1, -1));
        out.add(of(i, InjectedFault.STATE_CORRUPTION, Outcome.LATENT, -1, -1));
        return out;
    }

    static CampaignResult result(int replicas, List<InjectionRecord> records) {
        CampaignConfig config = CampaignConfig.builder(ServiceKind.KV).replicas(replicas).injections(records.size()).seed(42).build();
        OverheadReport overhead = new OverheadReport(100, replicas,
                new OverheadReport.Measurement("service called directly", 2, 5, 400_000, 400_000, 0),
                new OverheadReport.Measurement("resh, 1 replica", 40, 90, 20_000, 60_000, 0),
                new OverheadReport.Measurement("resh, " + replicas + " replicas", 60, 140, 14_000, 30_000, 0));
        return new CampaignResult(config, Instant.parse("2026-01-02T03:04:05Z"), Duration.ofSeconds(75), records, overhead, 1);
    }
}
