package dev.lockstep.runbook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.LockstepCli;
import dev.lockstep.plugin.StepTypes;
import dev.lockstep.spi.Action;
import dev.lockstep.spi.InvalidRunbookException;
import dev.lockstep.spi.Position;
import dev.lockstep.spi.Value;
import dev.lockstep.spi.YamlReader;
import dev.lockstep.steps.db.DbVerifyStep;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an operator wrote is what lockstep uses (YAML 1.2, never 1.1's rewriting of
 * 0100, 1.10, no or dates), and files that cannot be read as such are problems at a
 * position, runbooks and parameter files alike.
 */
class ValuesAsWrittenTest {
    private static final String VALUES = """
            octal_looking: 0100
            mode: 0755
            version: 1.10
            answer: no
            switch: on
            day: 2001-12-14
            hex: 0x1F
            """;

    @TempDir
    Path tmp;

    @Test
    void plainScalarsAreTypedByTheYaml12CoreSchema() {
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("0100", 100L);
        expected.put("0755", 755L);
        expected.put("0o755", 493L);
        expected.put("0x1F", 31L);
        expected.put("-42", -42L);
        expected.put("1.10", new BigDecimal("1.10"));
        expected.put("true", true);
        expected.put("False", false);
        expected.put(".inf", Double.POSITIVE_INFINITY);
        for (String text : new String[] {"no", "yes", "on", "off", "y", "n", "2001-12-14", "1_000", "0b101", "9223372036854775808"}) {
            expected.put(text, text);
        }
        expected.forEach((text, type) -> assertEquals(type, YamlReader.coreType(text), text));
        assertNull(YamlReader.coreType("~"));
        assertNull(YamlReader.coreType(""));
        assertEquals("1.10", String.valueOf(YamlReader.coreType("1.10")), "a decimal keeps its digits");
    }

    @Test
    void parameterDefaultsKeepTheExactTextWritten() throws IOException {
        StringBuilder yaml = new StringBuilder("lockstep: 1\nname: values\nparams:\n");
        VALUES.lines().forEach(l -> yaml.append("  ").append(l.replace(": ", ": { default: ")).append(" }\n"));
        yaml.append("steps:\n  - id: a\n    run: \"true\"\n");
        Path file = Files.writeString(tmp.resolve("values.yaml"), yaml);
        Runbook rb = new RunbookLoader(StepTypes.discover()).load(file);
        VALUES.lines().forEach(l -> {
            String[] kv = l.split(": ");
            assertEquals(kv[1], rb.params().get(kv[0]).defaultValue(), kv[0]);
        });
    }

    @Test
    void aWholeNumberKeyTakesANumberOfAnyTypeAndRefusesOneOutOfRange() {
        Position at = new Position("r.yaml", 7, 17);
        for (Object parallel : new Object[] {3, 3L, "3", "0x3"}) {
            DbVerifyStep.Config c = bindAtRuntime(verifyWith(Value.Scalar.of(parallel, at)));
            assertEquals(3, c.parallel(), "parallel: " + parallel.getClass().getSimpleName() + " " + parallel);
        }
        for (Object parallel : new Object[] {"99999999999", 99999999999L, "9".repeat(40)}) {
            InvalidRunbookException e = assertThrows(InvalidRunbookException.class,
                    () -> bindAtRuntime(verifyWith(Value.Scalar.of(parallel, at))));
            assertEquals("r.yaml:7:17: with.parallel: expected a whole number from -2147483648 to 2147483647, got " + parallel,
                    e.problems().get(0).toString());
        }
    }

    private static DbVerifyStep.Config bindAtRuntime(Value.Mapping with) {
        return ConfigBinder.bindResolved(DbVerifyStep.Config.class, new Action("db.verify", with, with.position()), with);
    }

    private static Value.Mapping verifyWith(Value parallel) {
        Position at = parallel.position();
        Map<String, Value> entries = new LinkedHashMap<>();
        entries.put("source", new Value.Mapping(Map.of("url", Value.Scalar.of("jdbc:sqlite:a.db", at)), Map.of("url", at), at));
        entries.put("target", new Value.Mapping(Map.of("url", Value.Scalar.of("jdbc:sqlite:b.db", at)), Map.of("url", at), at));
        entries.put("parallel", parallel);
        Map<String, Position> keys = new LinkedHashMap<>();
        entries.keySet().forEach(k -> keys.put(k, at));
        return new Value.Mapping(entries, keys, at);
    }

    @Test
    void paramsFileAndCommandLineValuesKeepTheExactTextWritten() throws IOException {
        StringBuilder yaml = new StringBuilder("lockstep: 1\nname: values\nparams:\n");
        VALUES.lines().forEach(l -> yaml.append("  ").append(l.split(":")[0]).append(": {}\n"));
        yaml.append("  key: { secret: true }\nsteps:\n  - id: a\n    run: \"true\"\n");
        Path runbook = Files.writeString(tmp.resolve("values.yaml"), yaml);
        Path params = Files.writeString(tmp.resolve("params.yaml"), VALUES.replace("mode: 0755\n", "")
                + "key: |\n  -----BEGIN KEY-----\n  0100\n  -----END KEY-----\n");
        LockstepCli.Result plan = new LockstepCli(tmp.resolve("state"))
                .run("plan", runbook.toString(), "--params-file", params.toString(), "-p", "mode=0755");
        assertEquals(0, plan.exit(), plan.all());
        assertTrue(plan.out().contains("Parameters: octal_looking=0100 mode=0755 version=1.10 answer=no switch=on "
                + "day=2001-12-14 hex=0x1F key=******"), plan.out());
    }

    @Test
    void aParamsFileThatCannotBeReadAsWrittenIsAProblemAtItsPosition() throws IOException {
        LockstepCli cli = new LockstepCli(tmp.resolve("state"));
        Path latin1 = Files.write(tmp.resolve("latin1.yaml"), "stack: relay\nregion: caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
        assertProblem(cli.run("validate", "runbooks/demo.yaml", "--params-file", latin1.toString()),
                latin1 + ":2:12: expected UTF-8 text, found the byte 0xE9 that is not valid UTF-8 here");
        Path list = Files.writeString(tmp.resolve("list.yaml"), "workdir: /tmp\nrows: [1, 2]\n");
        assertProblem(cli.run("validate", "runbooks/demo.yaml", "--params-file", list.toString()),
                list + ":2:7: parameter rows: expected a single value, got a list");
        Path loop = Files.writeString(tmp.resolve("loop.yaml"), "workdir: &w [*w]\n");
        assertProblem(cli.run("validate", "runbooks/demo.yaml", "--params-file", loop.toString()),
                loop + ":1:14: alias *w is inside the value it names");
        LockstepCli.Result folder = cli.run("validate", "runbooks/demo.yaml", "--params-file", tmp.toString());
        assertEquals(12, folder.exit(), folder.all());
        assertTrue(folder.err().contains("cannot read " + tmp + ": it is a folder, expected a file"), folder.err());
    }

    @Test
    void onlyTheFirstMegabyteOfAFileIsEverRead() throws IOException {
        LockstepCli cli = new LockstepCli(tmp.resolve("state"));
        Path big = Files.writeString(tmp.resolve("big.yaml"), "lockstep: 1\n#" + "x".repeat(YamlReader.MAX_BYTES));
        assertProblem(cli.run("validate", big.toString()), big + ":1:1: expected at most 1048576 bytes (1 MiB) of YAML");
        Path wide = Files.writeString(tmp.resolve("wide.yaml"), "lockstep: 1\ntitle: " + "x".repeat(YamlReader.MAX_LINE) + "\n");
        assertProblem(cli.run("validate", wide.toString()), wide + ":2:16385: expected lines of at most 16384 characters");
        Path utf16 = Files.write(tmp.resolve("utf16.yaml"), "lockstep: 1\n".getBytes(StandardCharsets.UTF_16));
        assertProblem(cli.run("validate", utf16.toString()), utf16 + ":1:1: expected UTF-8 text, found a UTF-16 byte-order mark");
    }

    private static void assertProblem(LockstepCli.Result r, String problem) {
        assertEquals(5, r.exit(), r.all());
        assertTrue(r.err().startsWith(problem), "expected " + problem + "\nbut got " + r.err());
    }
}
