package dev.lockstep.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.lockstep.spi.ContextKind;
import dev.lockstep.spi.StepType;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** Every step type and context is listed for discovery, and reading lockstep's own listings finds what ServiceLoader finds. */
class PluginsTest {
    private static final List<Class<?>> SERVICES = List.of(StepType.class, ContextKind.class);

    @Test
    void theSamePluginsServiceLoaderFinds() {
        for (Class<?> service : SERVICES) {
            List<String> listed = listedNames(service);
            List<String> loaded = ServiceLoader.load(service).stream().map(p -> p.type().getName()).sorted().toList();
            assertFalse(listed.isEmpty(), service.getName());
            assertEquals(loaded, listed, service.getName());
        }
    }

    /** A step type written but not listed would be refused as unknown in every runbook that uses it. */
    @Test
    void everyStepTypeAndContextClassIsListed() {
        var classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.lockstep");
        for (Class<?> service : SERVICES) {
            List<String> written = classes.stream()
                    .filter(c -> c.isAssignableTo(service) && !c.isInterface() && !c.getModifiers().contains(JavaModifier.ABSTRACT)
                            && !c.isAnonymousClass())
                    .map(JavaClass::getName).sorted().toList();
            assertFalse(written.isEmpty(), service.getName());
            assertEquals(written, listedNames(service), "classes implementing " + service.getSimpleName()
                    + " against steps/src/main/resources/META-INF/services/" + service.getName());
        }
    }

    private static List<String> listedNames(Class<?> service) {
        return Plugins.listed(service).stream().map(p -> p.getClass().getName()).sorted().toList();
    }
}
