package dev.lockstep;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The fast profile ({@code mvn -Pfast test}) leaves out tests by their tags, so a test class that starts a harness
 * without its tag would slip into the unit level: each harness named here must come with its tag, on the class
 * or on the method that uses it.
 */
class TestTiersTest {
    private static final Map<String, Pattern> HARNESS = Map.of(
            "kube", Pattern.compile("\\bKubeCluster\\b"),
            "aws", Pattern.compile("\\b(MotoServer|MinistackServer|SeedStack)\\b"),
            "postgres", Pattern.compile("\\b(TestPostgres|DemoPostgres)\\b"),
            "tty", Pattern.compile("\"tmux\""),
            "process", Pattern.compile("\\b(LockstepProcess|inSeparateProcesses)\\b"));

    @Test
    void everyTestThatStartsAHarnessCarriesItsTag() throws IOException {
        List<String> untagged = new ArrayList<>();
        Path root = Path.of("src/test/java/dev/lockstep");
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(f -> f.toString().endsWith("Test.java") || f.toString().endsWith("IT.java"))
                    .filter(f -> !f.getFileName().toString().equals("TestTiersTest.java")).toList()) {
                String text = Files.readString(file);
                if (!text.contains("@Test") && !text.contains("@ParameterizedTest")) continue;
                HARNESS.forEach((tag, uses) -> {
                    if (uses.matcher(text).find() && !text.contains("@Tag(\"" + tag + "\")")) {
                        untagged.add(root.relativize(file) + " uses a " + tag + " harness without @Tag(\"" + tag + "\")");
                    }
                });
            }
        }
        assertEquals(List.of(), untagged);
    }
}
