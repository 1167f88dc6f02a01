package dev.lockstep.engine;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The JSON Schema of the plan document ({@link SavedPlan}), as {@code lockstep schema --plan} publishes it. */
public final class PlanSchema {
    private PlanSchema() {}

    public static String text() {
        try (InputStream in = PlanSchema.class.getResourceAsStream("plan.schema.json")) {
            if (in == null) throw new IllegalStateException("plan.schema.json is missing from lockstep's jar");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
