package dev.lockstep.runbook;

import dev.lockstep.spi.Action;
import dev.lockstep.spi.ContextKind;
import dev.lockstep.spi.Position;
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
        Map<String, Context> contexts,
        Map<String, ParamDef> params,
        List<StepDef> steps,
        List<Action> rollback,
        DeclaredPointOfNoReturn pointOfNoReturn,
        Downtime downtime,
        Lazy<String> digest) {

    /**
     * The runbook's own {@code pointOfNoReturn: STEP_ID}: the step after which, its author says, rolling
     * back cannot restore the world; null when it declares none. Lockstep computes its own and says when
     * the two differ.
     */
    public record DeclaredPointOfNoReturn(String step, Position position) {}

    /** One {@code context.NAME}: where the runbook may act in one kind of place; lockstep refuses to act elsewhere. */
    public record Context(ContextKind<?> kind, Record config, Position position) {}

    public Optional<StepDef> step(String id) {
        return steps.stream().filter(s -> s.id().equals(id)).findFirst();
    }

    public int indexOf(String id) {
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i).id().equals(id)) return i;
        }
        return -1;
    }

    /** SHA-256 of the runbook's bytes, computed when first asked for. */
    public String checksum() {
        return digest.get();
    }

    public String displayTitle() {
        return title != null ? title : name;
    }
}
