package dev.lockstep.steps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.LockstepCli;
import dev.lockstep.MinistackServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where lockstep acts, chosen as the AWS CLI chooses, with profile files the test writes and
 * the SDK's own profile, credential_process and IAM Identity Center code, against ministack
 * (whose account is the 12-digit access key id a request is signed with): the command line
 * beats the environment, which beats the config files; a named profile brings its region;
 * per-service endpoint variables; shell steps get the same place; and without credentials,
 * one line and exit 14, nothing recorded.
 */
@Tag("aws")
@Tag("process")
class AwsConventionsTest {
    private static final String RUNBOOK = "src/test/resources/runbooks/aws/where.yaml";

    @TempDir
    Path tmp;

    private Path config;
    private Path credentials;

    @BeforeEach
    void files() throws Exception {
        config = tmp.resolve("config");
        credentials = tmp.resolve("credentials");
        Path process = tmp.resolve("creds.sh");
        Files.writeString(process, "#!/bin/sh\necho '{\"Version\": 1, \"AccessKeyId\": \"123456789012\", \"SecretAccessKey\": \"s\"}'\n");
        Files.setPosixFilePermissions(process, PosixFilePermissions.fromString("rwx------"));
        Files.writeString(config, """
                [default]
                region = us-east-2
                [profile relay]
                region = eu-west-1
                [profile minted]
                region = eu-west-1
                credential_process = %s
                [profile sso]
                sso_session = corp
                sso_account_id = 123456789012
                sso_role_name = Operator
                region = eu-west-1
                [sso-session corp]
                sso_start_url = https://lockstep-test-%s.awsapps.com/start
                sso_region = us-east-1
                sso_registration_scopes = sso:account:access
                """.formatted(process, Long.toHexString(System.nanoTime())));
        Files.writeString(credentials, """
                [default]
                aws_access_key_id = 999988887777
                aws_secret_access_key = s
                [relay]
                aws_access_key_id = 123456789012
                aws_secret_access_key = s
                """);
    }

    /** A CLI with none of the test machine's AWS settings: only the files above and what each test adds. */
    private LockstepCli cli() {
        LockstepCli cli = new LockstepCli(tmp.resolve("state"));
        for (String k : new String[] {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_REGION",
                "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL_CLOUDFORMATION"}) {
            cli.without(k);
        }
        return cli.env("AWS_CONFIG_FILE", config.toString()).env("AWS_SHARED_CREDENTIALS_FILE", credentials.toString());
    }

    private LockstepCli emulated() {
        return cli().env("AWS_ENDPOINT_URL", MinistackServer.endpoint());
    }

    private static String shown(LockstepCli.Result r) {
        return r.out().lines().filter(l -> l.contains("profile=")).findFirst().orElse("(no line)\n" + r.all());
    }

    @Test
    void theNamedProfileBringsItsRegionAndShellStepsActThereToo() {
        LockstepCli.Result r = emulated().run("run", RUNBOOK, "--no-tui", "--profile", "relay");
        assertEquals(0, r.exit(), r.all());
        assertTrue(shown(r).endsWith("profile=relay region=eu-west-1 default=eu-west-1 endpoint= key=unset"), shown(r));
    }

    @Test
    void theEnvironmentBeatsTheConfigFileAndTheCommandLineBeatsBoth() {
        LockstepCli.Result env = emulated().env("AWS_REGION", "ap-south-1").run("run", RUNBOOK, "--no-tui", "--profile", "relay");
        assertEquals(0, env.exit(), env.all());
        assertTrue(shown(env).contains("region=ap-south-1"), shown(env));
        LockstepCli.Result flag = emulated().env("AWS_REGION", "ap-south-1").run("run", RUNBOOK, "--no-tui", "--new", "--profile", "relay",
                "--region", "eu-central-1", "--endpoint-url", MinistackServer.endpoint());
        assertEquals(0, flag.exit(), flag.all());
        assertTrue(shown(flag).contains("region=eu-central-1 default=eu-central-1 endpoint=" + MinistackServer.endpoint()), shown(flag));
    }

    @Test
    void aProfileOnTheCommandLineBeatsKeysInTheEnvironment() {
        LockstepCli keys = emulated().env("AWS_ACCESS_KEY_ID", "444455556666").env("AWS_SECRET_ACCESS_KEY", "s").env("AWS_REGION", "us-east-1");
        LockstepCli.Result withKeys = keys.run("run", RUNBOOK, "--no-tui");
        assertEquals(13, withKeys.exit(), "the environment's keys are for another account:\n" + withKeys.all());
        assertTrue(withKeys.err().contains("the credentials are for account 444455556666"), withKeys.err());
        LockstepCli.Result withProfile = keys.run("run", RUNBOOK, "--no-tui", "--profile", "relay");
        assertEquals(0, withProfile.exit(), withProfile.all());
        // The shell step must not act with the environment's keys either: they are emptied for it.
        assertTrue(shown(withProfile).contains("profile=relay region=us-east-1") && shown(withProfile).endsWith("key="), shown(withProfile));
        LockstepCli.Result fromEnv = emulated().env("AWS_PROFILE", "relay").run("run", RUNBOOK, "--no-tui", "--new");
        assertEquals(0, fromEnv.exit(), "AWS_PROFILE beats the default profile:\n" + fromEnv.all());
    }

    @Test
    void credentialProcessProfilesWork() {
        LockstepCli.Result r = emulated().run("run", RUNBOOK, "--no-tui", "--profile", "minted");
        assertEquals(0, r.exit(), r.all());
        assertTrue(shown(r).contains("profile=minted region=eu-west-1"), shown(r));
    }

    @Test
    void perServiceEndpointVariablesBeatTheGeneralOne() {
        LockstepCli.Result r = cli().env("AWS_ENDPOINT_URL", "http://127.0.0.1:1")
                .env("AWS_ENDPOINT_URL_STS", MinistackServer.endpoint())
                .env("AWS_ENDPOINT_URL_CLOUDFORMATION", MinistackServer.endpoint())
                .run("run", RUNBOOK, "--no-tui", "--profile", "relay");
        assertEquals(0, r.exit(), r.all());
        assertTrue(r.out().contains("ok step stack succeeded"), r.out());
    }

    @Test
    void anSsoProfileWithoutASessionSaysToLogIn() {
        LockstepCli.Result r = emulated().run("run", RUNBOOK, "--no-tui", "--profile", "sso");
        assertEquals(14, r.exit(), r.all());
        // With the SDK's sso modules missing this would say so ("must be on the class path"): they are there.
        assertFalse(r.err().contains("class path"), r.err());
        assertTrue(r.err().contains("tried profile 'sso' (IAM Identity Center session corp)"), r.err());
        assertTrue(r.err().contains("aws sso login --profile sso"), r.err());
        assertNothingRecorded();
    }

    /**
     * An IAM Identity Center profile with a session the test logged in (the cached token the
     * AWS CLI writes under ~/.aws/sso/cache): the SDK's own SSO code reads it and asks the SSO
     * portal for the role's credentials. No emulator implements the portal, so it is pointed at
     * a closed port ($AWS_ENDPOINT_URL_SSO): the line names what was tried and that the portal
     * could not be reached, which it only can after reading the token. Run as a process of its
     * own, since the SDK finds ~ through $HOME.
     */
    @Test
    void anSsoProfileWithACachedTokenAsksThePortalForCredentials() throws Exception {
        Path home = Files.createDirectories(tmp.resolve("home"));
        Path cache = Files.createDirectories(home.resolve(".aws/sso/cache"));
        String session = "corp";
        byte[] sha1 = java.security.MessageDigest.getInstance("SHA-1").digest(session.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Files.writeString(cache.resolve(java.util.HexFormat.of().formatHex(sha1) + ".json"), """
                {"startUrl": "https://lockstep-test.awsapps.com/start", "region": "us-east-1", "accessToken": "token-the-test-wrote",
                 "expiresAt": "2099-01-01T00:00:00Z", "clientId": "c", "clientSecret": "s", "refreshToken": "r",
                 "registrationExpiresAt": "2099-01-01T00:00:00Z"}
                """);
        Path out = tmp.resolve("sso.log");
        int exit = dev.lockstep.LockstepProcess.run(out, java.util.Map.of("HOME", home.toString(), "AWS_CONFIG_FILE", config.toString(),
                "AWS_SHARED_CREDENTIALS_FILE", credentials.toString(), "AWS_ENDPOINT_URL_SSO", "http://127.0.0.1:9",
                "AWS_ENDPOINT_URL", MinistackServer.endpoint()), "plan", RUNBOOK, "--profile", "sso");
        String said = Files.readString(out);
        assertEquals(14, exit, said);
        assertTrue(said.contains("no usable AWS credentials: tried profile 'sso' (IAM Identity Center session corp)"), said);
        assertTrue(said.contains("cannot reach its endpoint: Connection refused"), said);
        assertFalse(said.contains("class path") || said.contains("Unable to load SSO token"), said);
    }

    @Test
    void noCredentialsIsOneLineExit14AndNothingIsRecorded() {
        LockstepCli none = emulated().env("AWS_SHARED_CREDENTIALS_FILE", tmp.resolve("absent").toString());
        for (int i = 0; i < 2; i++) {
            LockstepCli.Result r = none.run("run", RUNBOOK, "--no-tui");
            assertEquals(14, r.exit(), "every time, never 9 (an unfinished run):\n" + r.all());
            String line = r.err().strip();
            assertTrue(line.contains("no usable AWS credentials: tried no --profile, no $AWS_PROFILE, no keys in $AWS_ACCESS_KEY_ID"), line);
            assertTrue(line.contains("To go on: pass --profile NAME"), line);
            assertFalse(line.contains("SystemPropertyCredentialsProvider") || line.contains("EnvironmentVariableCredentialsProvider"),
                    "not the SDK's provider chain: " + line);
        }
        LockstepCli.Result typo = none.run("run", RUNBOOK, "--no-tui", "--profile", "rleay");
        assertEquals(14, typo.exit(), typo.all());
        assertTrue(typo.err().contains("no AWS profile 'rleay' in " + config), typo.err());
        LockstepCli.Result plan = none.run("plan", RUNBOOK);
        assertEquals(14, plan.exit(), plan.all());
        assertFalse(plan.all().contains("CredentialsProvider"), plan.all());
        assertNothingRecorded();
    }

    @Test
    void anUnreachableEndpointIsNamed() {
        LockstepCli.Result r = cli().run("run", RUNBOOK, "--no-tui", "--profile", "relay", "--endpoint-url", "http://127.0.0.1:1");
        assertEquals(14, r.exit(), r.all());
        assertTrue(r.err().contains("cannot reach AWS STS at http://127.0.0.1:1"), r.err());
        assertNothingRecorded();
    }

    private void assertNothingRecorded() {
        Path runs = tmp.resolve("state/runs");
        try (var s = Files.exists(runs) ? Files.list(runs) : java.util.stream.Stream.<Path>empty()) {
            assertEquals(0, s.count(), "no run was recorded");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
