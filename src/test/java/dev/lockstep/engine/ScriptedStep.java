package dev.lockstep.engine;

import dev.lockstep.spi.Key;
import dev.lockstep.spi.ResultShape;
import dev.lockstep.spi.StepContext;
import dev.lockstep.spi.StepResult;
import dev.lockstep.spi.StepType;
import dev.lockstep.spi.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A step type for engine tests, in memory: each attempt of a step takes the next word of its {@code outcomes}
 * ({@code ok}, {@code fail}, {@code halt}, {@code throw}, or {@code hang} until it is stopped), so the engine's
 * retry, halt, skip, override, timeout, interrupt and rollback paths are tested without a shell. It remembers what
 * it was asked, in order.
 */
public final class ScriptedStep implements StepType<ScriptedStep.Config> {
    public record Config(@Key(value = "what each attempt does, in order", required = true) List<String> outcomes) {}

    private final Map<String, Integer> attempts = new ConcurrentHashMap<>();
    private final List<String> asked = java.util.Collections.synchronizedList(new ArrayList<>());

    /** Every call, in order: "execute STEP #N" or "rollback STEP". */
    List<String> asked() {
        return List.copyOf(asked);
    }

    @Override
    public String name() {
        return "scripted";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public String summary() {
        return "A test's scripted step.";
    }

    @Override
    public String example() {
        return "uses: scripted\nwith: { outcomes: [fail, ok] }\n";
    }

    @Override
    public ResultShape result(Value.Mapping with) {
        return ResultShape.object("attempt", ResultShape.VALUE);
    }

    @Override
    public List<String> plan(Config config) {
        return List.of("scripted: " + String.join(", ", config.outcomes()));
    }

    @Override
    public StepResult execute(Config config, StepContext ctx) throws Exception {
        int n = attempts.merge(ctx.stepId(), 1, Integer::sum);
        asked.add("execute " + ctx.stepId() + " #" + n);
        String outcome = config.outcomes().get(Math.min(n, config.outcomes().size()) - 1);
        Map<String, Object> data = Map.of("attempt", n);
        return switch (outcome) {
            case "ok" -> StepResult.ok("attempt " + n + " ok", data);
            case "fail" -> StepResult.failed("attempt " + n + " failed as scripted", data);
            case "halt" -> StepResult.halted("attempt " + n + " halted as scripted", "the scripted evidence", data);
            case "throw" -> throw new IllegalStateException("attempt " + n + " threw as scripted");
            case "hang" -> {
                Thread.sleep(Long.MAX_VALUE);
                yield StepResult.failed("never", data);
            }
            default -> throw new IllegalArgumentException("unknown scripted outcome " + outcome);
        };
    }

    @Override
    public boolean undoesItself() {
        return true;
    }

    @Override
    public List<String> planRollback(Config config) {
        return List.of("scripted undo");
    }

    @Override
    public StepResult rollback(Config config, StepContext ctx) {
        asked.add("rollback " + ctx.stepId());
        return StepResult.ok("undone", Map.of());
    }
}
