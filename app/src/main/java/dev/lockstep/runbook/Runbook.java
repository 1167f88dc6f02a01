package dev.lockstep.runbook;

import dev.lockstep.step.Settings;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A loaded, validated runbook (format v1). */
public record Runbook(
        Path file,
        String name,
        String title,
        String description,
        AwsContext aws,
        Map<String, ParamDef> params,
        List<StepDef> steps,
        List<Action> rollback,
        String checksum) {

    /** Where the runbook may act; lockstep refuses to run elsewhere. Empty fields mean "not pinned". */
    public record AwsContext(String region, String account, String profile) {
        /** The settings this context pins: the region and profile to use, and the account and region to insist on. */
        public Map<String, String> settings() {
            Map<String, String> out = new java.util.HashMap<>();
            if (region != null) {
                out.put(Settings.AWS_REGION, region);
                out.put(Settings.AWS_EXPECTED_REGION, region);
            }
            if (account != null) out.put(Settings.AWS_EXPECTED_ACCOUNT, account);
            if (profile != null) out.put(Settings.AWS_PROFILE, profile);
            return out;
        }
    }

    public Optional<StepDef> step(String id) {
        return steps.stream().filter(s -> s.id().equals(id)).findFirst();
    }

    public int indexOf(String id) {
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i).id().equals(id)) return i;
        }
        return -1;
    }

    public String displayTitle() {
        return title != null ? title : name;
    }
}
