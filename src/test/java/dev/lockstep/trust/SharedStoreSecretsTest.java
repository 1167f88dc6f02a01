package dev.lockstep.trust;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.LockstepCli;
import dev.lockstep.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The secrets of {@link SecretsTest}, written out every way a script can, on the PostgreSQL store:
 * no form of them in any row of any table of lockstep's schema, nor in anything printed; and the
 * store's own password, given in the URL, is never printed either.
 */
@Tag("postgres")
class SharedStoreSecretsTest {
    private static final String RUNBOOK = "src/test/resources/runbooks/trust/secrets.yaml";
    private static final String STORE_PASSWORD = "st0re-Pa55word-9f3k";

    @TempDir
    Path tmp;

    @Test
    void noSecretInAnyTableNorTheStorePasswordInAnyMessage() throws Exception {
        String plain = TestPostgres.newStateUrl();
        String url = plain.replace("postgres://postgres@", "postgres://postgres:" + STORE_PASSWORD + "@");
        Path out = Files.createDirectories(tmp.resolve("out"));
        LockstepCli cli = LockstepCli.onStore(url).env("TEST_PEM", SecretsTest.KEY).env("TEST_TOKEN", SecretsTest.TOKEN);
        List<String> printed = new ArrayList<>();

        LockstepCli.Result run = cli.run("run", RUNBOOK, "--no-tui", "-p", "out=" + out, "--yes");
        printed.add(run.all());
        assertEquals(0, run.exit(), run.all());
        Matcher m = Pattern.compile("run id: (\\S+)").matcher(run.out());
        assertTrue(m.find(), run.out());
        String id = m.group(1);
        for (String[] args : List.of(new String[] {"runs"}, new String[] {"show", id}, new String[] {"report", id, "-o", "-"},
                new String[] {"watch", id, "--no-tui"}, new String[] {"show", "no-such-run"})) {
            LockstepCli.Result r = cli.run(args);
            printed.add(r.all());
        }
        LockstepCli.Result lock = cli.run("lock", "show", id, "--state", url);
        printed.add(lock.all());
        assertEquals(0, lock.exit(), lock.all());
        String all = String.join("\n", printed);
        assertTrue(all.contains("no run no-such-run in postgres://postgres@localhost:"), "names the store: " + all);
        SecretsTest.assertNoSecret("what lockstep printed", all);
        assertFalse(all.contains(STORE_PASSWORD), "the store's password was printed:\n" + all);

        int rows = 0;
        try (Connection c = TestPostgres.connect("jdbc:postgresql://" + plain.substring(plain.indexOf('@') + 1));
             Statement s = c.createStatement()) {
            List<String> tables = new ArrayList<>();
            try (ResultSet r = s.executeQuery("SELECT table_name FROM information_schema.tables WHERE table_schema = 'lockstep'")) {
                while (r.next()) tables.add(r.getString(1));
            }
            assertTrue(tables.containsAll(List.of("runs", "events", "leases", "logs", "flyway_schema_history")), tables.toString());
            for (String table : tables) {
                try (ResultSet r = s.executeQuery("SELECT t::text FROM lockstep." + table + " t")) {
                    while (r.next()) {
                        rows++;
                        SecretsTest.assertNoSecret("table " + table, r.getString(1));
                        assertFalse(r.getString(1).contains(STORE_PASSWORD), table);
                    }
                }
            }
        }
        assertTrue(rows > 20, "the tables hold the run: " + rows + " rows");
    }
}
