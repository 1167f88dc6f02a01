package dev.lockstep.cli;

import dev.lockstep.engine.PointOfNoReturn;
import dev.lockstep.runbook.Runbook;
import dev.lockstep.spi.ErrorCode;
import dev.lockstep.spi.InvalidRunbookException;
import dev.lockstep.spi.Json;
import dev.lockstep.spi.LockstepException;
import dev.lockstep.spi.Problem;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;

final class ValidateCommand implements Callable<Integer> {
    private final Cli cli;
    final CommandSpec spec = CommandModel.command(this, "validate", "Check runbooks and report every problem as file:line:col. "
            + "With -p or --params-file, check each file's own parameters too.");

    List<Path> files;
    final ParamOptions params;
    final OutputOptions output;

    ValidateCommand(Cli cli) {
        HelpSections.examples(spec,
                "lockstep validate runbooks/demo.yaml",
                "lockstep validate runbooks/demo.yaml runbooks/dbupgrade.yaml --output json",
                "lockstep validate runbooks/demo.yaml -p rows=1000");
        this.cli = cli;
        CommandModel.positional(spec, "0..*", "FILE").arity("1..*").bindList(Path.class, () -> files, v -> files = v);
        params = new ParamOptions(spec);
        output = new OutputOptions(spec);
    }

    /**
     * One file's verdict; {@code unreadable} says why it could not be read (and then it has no runbook);
     * {@code warnings} what is not wrong but worth a look (a declared point of no return lockstep computes elsewhere).
     */
    private record Checked(Path file, Runbook runbook, List<Problem> problems, String unreadable, List<String> warnings) {
        Checked(Path file, Runbook runbook, List<Problem> problems) {
            this(file, runbook, problems, null, List.of());
        }
    }

    @Override
    public Integer call() {
        List<Checked> checked = new ArrayList<>();
        for (Path f : files) {
            try {
                Runbook runbook = cli.loader().load(f);
                String disagreement = PointOfNoReturn.of(runbook, cli.types()).disagreement();
                checked.add(new Checked(f, runbook, new ArrayList<>(), null, disagreement == null ? List.of() : List.of(disagreement)));
            } catch (InvalidRunbookException e) {
                checked.add(new Checked(f, null, e.problems()));
            } catch (LockstepException e) {
                // A missing file must not hide what is wrong with the others.
                if (e.code() != ErrorCode.IO) throw e;
                checked.add(new Checked(f, null, List.of(), e.getMessage(), List.of()));
            }
        }
        if (!params.params.isEmpty() || params.paramsFile != null) checkParameters(cli, checked);
        int problems = checked.stream().mapToInt(c -> c.problems().size()).sum();
        long unreadable = checked.stream().filter(c -> c.unreadable() != null).count();
        if (output.json()) {
            cli.out.println(Json.pretty(json(checked, problems)));
        } else {
            for (Checked c : checked) {
                if (c.unreadable() != null) cli.err.println("lockstep: " + c.unreadable());
                else if (c.problems().isEmpty()) cli.out.println("ok " + c.file() + " (" + c.runbook().steps().size() + " steps)");
                c.warnings().forEach(cli.err::println);
                ErrorHandler.printProblems(cli.err, c.problems());
            }
        }
        if (cli.github != null) {
            for (Checked c : checked) for (Problem p : ErrorHandler.shown(c.problems())) cli.github.error(p.position(), "lockstep validate", p.message());
        }
        if (problems == 0 && unreadable == 0) return 0;
        // A file that could not be read is the file error (12) even when others have problems: nothing checked it.
        ErrorCode code = unreadable > 0 ? ErrorCode.IO : ErrorCode.INVALID_RUNBOOK;
        if (!output.json()) {
            List<String> summary = new ArrayList<>();
            if (problems > 0) summary.add(problems + " problem" + (problems == 1 ? "" : "s") + " found");
            if (unreadable > 0) summary.add(unreadable + " file" + (unreadable == 1 ? "" : "s") + " not read");
            cli.err.println("lockstep: " + String.join(", ", summary) + " (" + code.name() + ")");
        }
        return code.exitCode();
    }

    /**
     * Each runbook gets the values of its own parameters (several files rarely share them all);
     * a value that no file declares is a mistake, named once.
     */
    private void checkParameters(Cli cli, List<Checked> checked) {
        Map<String, Object> fromFile = params.fileValues();
        Set<String> declared = new LinkedHashSet<>();
        for (Checked c : checked) if (c.runbook() != null) declared.addAll(c.runbook().params().keySet());
        Set<String> given = new LinkedHashSet<>(params.params.keySet());
        given.addAll(fromFile.keySet());
        given.removeAll(declared);
        if (!given.isEmpty() && checked.stream().anyMatch(c -> c.runbook() != null)) {
            throw new LockstepException(ErrorCode.USAGE, "unknown parameter " + String.join(", ", given)
                    + ": no runbook given declares it (they declare " + (declared.isEmpty() ? "none" : String.join(", ", declared)) + ")");
        }
        for (Checked c : checked) {
            if (c.runbook() == null) continue;
            ParamOptions own = params.only(c.runbook().params().keySet(), fromFile);
            try {
                own.resolve(c.runbook(), cli);
            } catch (InvalidRunbookException e) {
                c.problems().addAll(e.problems());
            }
        }
    }

    /** The shape docs/operator-guide.md (Machine output) pins for {@code validate --output json}. */
    private static Map<String, Object> json(List<Checked> checked, int problems) {
        List<Object> list = new ArrayList<>();
        for (Checked c : checked) {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("file", c.file().toString());
            f.put("valid", c.problems().isEmpty() && c.unreadable() == null);
            if (c.unreadable() != null) f.put("error", c.unreadable());
            f.put("name", c.runbook() == null ? null : c.runbook().name());
            f.put("steps", c.runbook() == null ? null : c.runbook().steps().size());
            List<Object> ps = new ArrayList<>();
            for (Problem p : c.problems()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("file", p.position().file());
                m.put("line", p.position().line());
                m.put("column", p.position().column());
                m.put("message", p.message());
                ps.add(m);
            }
            f.put("problems", ps);
            f.put("warnings", c.warnings());
            list.add(f);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("files", list);
        out.put("problems", problems);
        return out;
    }
}
