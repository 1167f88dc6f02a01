package dev.lockstep.runbook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.plugin.StepTypes;
import dev.lockstep.spi.InvalidRunbookException;
import dev.lockstep.spi.Problem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every file under runbooks/valid must load; every file under runbooks/invalid must
 * fail with exactly the problems its {@code # expect: LINE:COL: text} comments list.
 */
class LoaderFixturesTest {
    private static final Path ROOT = Path.of("src/test/resources/runbooks");
    private static final Pattern EXPECT = Pattern.compile("#\\s*expect:\\s*(\\d+):(\\d+):\\s*(.+)");
    private final RunbookLoader loader = new RunbookLoader(StepTypes.discover());

    @TestFactory
    Stream<DynamicTest> validRunbooksLoad() throws IOException {
        List<Path> files = list(ROOT.resolve("valid"));
        files.add(Path.of("runbooks/demo.yaml"));
        return files.stream().map(f -> DynamicTest.dynamicTest(f.toString(), () -> {
            Runbook rb = loader.load(f);
            assertFalse(rb.steps().isEmpty());
        }));
    }

    @TestFactory
    Stream<DynamicTest> invalidRunbooksReportEveryProblemWithItsPosition() throws IOException {
        return list(ROOT.resolve("invalid")).stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> {
            // Latin-1 reads any byte: some fixtures are not valid UTF-8 on purpose; expectations are ASCII.
            List<String> expected = Files.readAllLines(f, StandardCharsets.ISO_8859_1).stream().map(EXPECT::matcher).filter(Matcher::find)
                    .map(m -> m.group(1) + ":" + m.group(2) + ": " + m.group(3).trim()).toList();
            assertFalse(expected.isEmpty(), f + " has no # expect: lines");
            InvalidRunbookException e = assertThrows(InvalidRunbookException.class, () -> loader.load(f));
            List<String> actual = e.problems().stream()
                    .map(p -> p.position().line() + ":" + p.position().column() + ": " + p.message()).toList();
            for (Problem p : e.problems()) assertEquals(f.toString(), p.position().file());
            assertEquals(expected.size(), actual.size(), "problems for " + f + ":\n" + String.join("\n", actual));
            for (int i = 0; i < expected.size(); i++) {
                String want = expected.get(i);
                String pos = want.substring(0, want.indexOf(": "));
                String text = want.substring(want.indexOf(": ") + 2);
                assertTrue(actual.get(i).startsWith(pos + ": ") && actual.get(i).contains(text),
                        "expected problem " + want + "\nbut problems were:\n" + String.join("\n", actual));
            }
        }));
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return new java.util.ArrayList<>(s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList());
        }
    }
}
