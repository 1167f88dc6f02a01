package dev.lockstep.runbook;

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
    public record AwsContext(String region, String account, String profile) {}

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
