package dev.lockstep.steps.basic;

import dev.lockstep.spi.Key;
import dev.lockstep.spi.ResultShape;
import dev.lockstep.spi.StepContext;
import dev.lockstep.spi.StepResult;
import dev.lockstep.spi.StepType;
import dev.lockstep.spi.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code manual}: something only a person can do. The run waits until the operator
 * confirms it is done. With {@code undo}, rolling back asks for that in turn.
 *
 * <pre>
 * - id: announce
 *   uses: manual
 *   with:
 *     instructions: Post the maintenance notice in #ops
 *     undo: Post "maintenance cancelled" in #ops
 * </pre>
 */
public final class ManualStep implements StepType<ManualStep.Config> {
    public record Config(
            @Key(value = "what the operator must do", required = true) String instructions,
            @Key("what the operator must do to undo it, asked for on rollback") String undo) {}

    @Override
    public String name() {
        return "manual";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public String summary() {
        return "`instructions` for a person, who confirms when done; `undo` is asked for on rollback";
    }

    @Override
    public String example() {
        return """
                - id: announce
                  uses: manual
                  with:
                    instructions: Post the maintenance notice in #ops
                    undo: Post "maintenance cancelled" in #ops
                """;
    }

    @Override
    public ResultShape result(Value.Mapping with) {
        return ResultShape.object("confirmed", ResultShape.VALUE);
    }

    @Override
    public List<String> plan(Config c) {
        List<String> lines = new ArrayList<>();
        lines.add("ask the operator to: " + c.instructions().strip());
        if (c.undo() != null) lines.add("on rollback, ask to: " + c.undo().strip());
        return lines;
    }

    @Override
    public StepResult execute(Config c, StepContext ctx) {
        return confirmed(ctx, c.instructions());
    }

    @Override
    public boolean hasRollback(Config c) {
        return c.undo() != null;
    }

    @Override
    public List<String> planRollback(Config c) {
        return List.of("ask the operator to: " + c.undo().strip());
    }

    @Override
    public StepResult rollback(Config c, StepContext ctx) {
        return confirmed(ctx, c.undo());
    }

    private static StepResult confirmed(StepContext ctx, String instructions) {
        ctx.line("operator asked: " + instructions.strip());
        return ctx.askOperator(instructions.strip())
                ? StepResult.ok("done, confirmed by the operator", Map.of("confirmed", true))
                : StepResult.failed("the operator did not confirm it was done", Map.of("confirmed", false));
    }
}
