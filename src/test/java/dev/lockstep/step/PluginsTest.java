package dev.lockstep.step;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.lockstep.context.ContextKind;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** Reading lockstep's own service listings finds exactly what ServiceLoader finds on the whole class path. */
class PluginsTest {
    @Test
    void theSamePluginsServiceLoaderFinds() {
        for (Class<?> service : List.of(StepType.class, ContextKind.class)) {
            List<String> listed = Plugins.listed(service).stream().map(p -> p.getClass().getName()).sorted().toList();
            List<String> loaded = ServiceLoader.load(service).stream().map(p -> p.type().getName()).sorted().toList();
            assertFalse(listed.isEmpty(), service.getName());
            assertEquals(loaded, listed, service.getName());
        }
    }
}
