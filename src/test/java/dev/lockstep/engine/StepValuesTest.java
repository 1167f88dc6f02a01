package dev.lockstep.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.LockstepCli;
import dev.lockstep.spi.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Later steps resolve earlier steps' outputs and start times to their real values: in the process that
 * produced them, and in one that resumed the run from its journal. The engine keeps these values as
 * events are applied (instead of rebuilding them for every scope), so both ways of getting there count.
 */
class StepValuesTest {
    @TempDir
    Path tmp;

    @Test
    void laterStepsSeeEarlierOutputsAndStartTimesBeforeAndAfterAResume() throws Exception {
        Path flag = tmp.resolve("flag");
        Path book = tmp.resolve("book.yaml");
        Files.writeString(book, """
                lockstep: 1
                name: step-values
                params: { flag: { default: "%s" } }
                steps:
                  - id: first
                    run: echo one
                    outputs: { value: "${{ result.stdout }}" }
                  - id: second
                    run: echo "two after ${{ steps.first.outputs.value }} at ${{ steps.first.startedAt }}"
                    outputs: { value: "${{ result.stdout }}" }
                  - id: third
                    run: |
                      test -f "${{ params.flag }}"
                      echo "${{ steps.first.outputs.value }} / ${{ steps.second.outputs.value }} / ${{ steps.second.startedAt }}"
                    outputs: { seen: "${{ result.stdout }}" }
                """.formatted(flag));
        LockstepCli cli = new LockstepCli(tmp.resolve("state"));

        LockstepCli.Result first = cli.run("run", book.toString(), "--no-tui");
        assertNotEquals(0, first.exit(), first.all());
        Matcher id = Pattern.compile("run id: (\\S+)").matcher(first.all());
        assertTrue(id.find(), first.all());
        Map<String, Map<String, Object>> before = steps(cli, id.group(1));
        assertEquals("failed", before.get("third").get("state"));
        assertEquals("two after one at " + before.get("first").get("startedAt"), outputs(before.get("second")).get("value"));

        Files.writeString(flag, "");
        LockstepCli.Result resumed = cli.run("resume", id.group(1), "--no-tui");
        assertEquals(0, resumed.exit(), resumed.all());
        Map<String, Map<String, Object>> after = steps(cli, id.group(1));
        assertEquals("one / two after one at " + after.get("first").get("startedAt") + " / " + after.get("second").get("startedAt"),
                outputs(after.get("third")).get("seen"));
    }

    /** The run's steps as {@code lockstep show --output json} gives them, by id. */
    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> steps(LockstepCli cli, String runId) {
        LockstepCli.Result show = cli.run("show", runId, "--output", "json");
        assertEquals(0, show.exit(), show.all());
        Map<String, Map<String, Object>> byId = new HashMap<>();
        for (Object s : (List<Object>) ((Map<String, Object>) Json.parse(show.out())).get("steps")) {
            Map<String, Object> step = (Map<String, Object>) s;
            byId.put((String) step.get("id"), step);
        }
        return byId;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> outputs(Map<String, Object> step) {
        return (Map<String, Object>) step.get("outputs");
    }
}
