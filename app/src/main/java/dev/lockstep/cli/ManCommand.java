package dev.lockstep.cli;

import dev.lockstep.journal.StateDir;
import dev.lockstep.spi.ErrorCode;
import dev.lockstep.spi.LockstepException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine;

/** Man pages (troff), one per command, generated from the same model as --help: they cannot disagree. */
final class ManCommand implements Callable<Integer> {
    private final Cli cli;
    final CommandSpec spec = CommandModel.command(this, "man", "Write the man pages (lockstep.1, lockstep-run.1, …) into a folder.");

    Path dir = Path.of("man");

    ManCommand(Cli cli) {
        HelpSections.examples(spec, "lockstep man", "lockstep man --dir /usr/local/share/man/man1");
        this.cli = cli;
        CommandModel.option(spec, "--dir").label("DIR").description("Where to write them, a folder made if missing (default: man).")
                .bind(Path.class, () -> dir, v -> dir = v);
    }

    @Override
    public Integer call() {
        CommandLine top = spec.root().commandLine();
        List<String> written = new ArrayList<>();
        write(page(top.getCommandSpec(), top), "lockstep.1", written);
        for (CommandLine sub : top.getSubcommands().values()) {
            CommandSpec s = sub.getCommandSpec();
            if (s.usageMessage().hidden() || s.name().equals("help")) continue;
            write(page(s, top), "lockstep-" + s.name() + ".1", written);
        }
        cli.out.println("wrote " + String.join(", ", written) + " in " + dir);
        return 0;
    }

    private void write(String text, String name, List<String> written) {
        try {
            StateDir.writePrivate(dir.resolve(name), text);
        } catch (IOException e) {
            throw new LockstepException(ErrorCode.IO, "cannot write " + dir.resolve(name) + ": " + e.getMessage());
        }
        written.add(name);
    }

    static String page(CommandSpec s, CommandLine top) {
        boolean isRoot = s.parent() == null;
        String name = isRoot ? "lockstep" : "lockstep-" + s.name();
        StringBuilder b = new StringBuilder();
        b.append(".TH ").append(name.toUpperCase()).append(" 1 \"\" \"lockstep ").append(esc(Cli.version()))
                .append("\" \"lockstep manual\"\n");
        // Ragged right, no hyphenation: option names and file names stay whole.
        b.append(".nh\n.ad l\n");
        b.append(".SH NAME\n").append(esc(name)).append(" \\- ").append(esc(String.join(" ", s.usageMessage().description())))
                .append('\n');
        b.append(".SH SYNOPSIS\n.B ").append(isRoot ? "lockstep" : "lockstep " + esc(s.name())).append('\n');
        for (OptionSpec o : s.options()) {
            if (o.hidden()) continue;
            b.append("[\\fB").append(esc(o.longestName())).append("\\fR");
            if (o.arity().max() > 0) b.append(" \\fI").append(esc(o.paramLabel())).append("\\fR");
            b.append("]\n");
        }
        for (PositionalParamSpec p : s.positionalParameters()) {
            b.append(p.arity().min() == 0 ? "[\\fI" : "\\fI").append(esc(p.paramLabel())).append(p.arity().min() == 0 ? "\\fR]" : "\\fR")
                    .append(p.arity().max() > 1 ? "..." : "").append('\n');
        }
        if (isRoot) b.append("\\fICOMMAND\\fR [\\fIARGS\\fR]\n");
        b.append(".SH DESCRIPTION\n").append(esc(String.join(" ", s.usageMessage().description()))).append('\n');
        if (isRoot) {
            b.append(".SH COMMANDS\n");
            top.getSubcommands().forEach((cmd, sub) -> {
                CommandSpec c = sub.getCommandSpec();
                if (c.usageMessage().hidden() || cmd.equals("help")) return;
                b.append(".TP\n\\fB").append(esc(cmd)).append("\\fR\n").append(esc(String.join(" ", c.usageMessage().description())))
                        .append("\nSee \\fBlockstep\\-").append(esc(cmd)).append("\\fR(1).\n");
            });
        }
        if (!s.positionalParameters().isEmpty() || !s.options().isEmpty()) b.append(".SH OPTIONS\n");
        for (PositionalParamSpec p : s.positionalParameters()) {
            b.append(".TP\n\\fI").append(esc(p.paramLabel())).append("\\fR\n").append(esc(String.join(" ", p.description())))
                    .append('\n');
        }
        HelpSections sections = HelpSections.of(s);
        sections.groups(s).forEach((heading, options) -> {
            // As in --help: the command's own options first, then one subsection for each of the others.
            if (!heading.equals(HelpSections.OPTIONS)) b.append(".SS ").append(esc(heading.replaceFirst(":$", ""))).append('\n');
            for (OptionSpec o : options) {
                b.append(".TP\n");
                List<String> names = new ArrayList<>();
                for (String n : o.names()) names.add("\\fB" + esc(n) + "\\fR");
                b.append(String.join(", ", names));
                if (o.arity().max() > 0) b.append(" \\fI").append(esc(o.paramLabel())).append("\\fR");
                b.append('\n').append(esc(String.join(" ", o.description()))).append('\n');
            }
        });
        if (!sections.examples().isEmpty()) {
            b.append(".SH EXAMPLES\n.nf\n");
            for (String e : sections.examples()) b.append(esc(e)).append('\n');
            b.append(".fi\n");
        }
        b.append(".SH EXIT STATUS\n");
        b.append(".TP\n\\fB0\\fR\nsuccess\n");
        for (ErrorCode code : ErrorCode.values()) {
            b.append(".TP\n\\fB").append(code.exitCode()).append("\\fR\n").append(esc(code.meaning())).append('\n');
        }
        b.append(".SH ENVIRONMENT\n.TP\n\\fBLOCKSTEP_STATE_DIR\\fR\nWhere runs are kept, unless \\-\\-state\\-dir says.\n")
                .append(".TP\n\\fBNO_COLOR\\fR\nNo colours on the screen.\n")
                .append(".TP\n\\fBCI\\fR, \\fBTERM=dumb\\fR\nPlain lines instead of the full\\-screen UI.\n")
                .append(".TP\n\\fBGITHUB_ACTIONS\\fR, \\fBGITHUB_STEP_SUMMARY\\fR\nLog groups, annotations and the job summary on GitHub Actions.\n");
        b.append(".SH SEE ALSO\n");
        if (!isRoot) {
            b.append("\\fBlockstep\\fR(1)\n");
        } else {
            List<String> refs = new ArrayList<>();
            top.getSubcommands().forEach((cmd, sub) -> {
                if (!sub.getCommandSpec().usageMessage().hidden() && !cmd.equals("help")) refs.add("\\fBlockstep\\-" + esc(cmd) + "\\fR(1)");
            });
            b.append(String.join(", ", refs)).append('\n');
        }
        return b.toString();
    }

    /**
     * Text for troff: backslashes and hyphens escaped, anything beyond ASCII (the … of "lockstep.1, …") named as a
     * Unicode character, which groff reads whatever its input encoding; no line starting with a control character.
     */
    static String esc(String text) {
        StringBuilder escaped = new StringBuilder();
        text.codePoints().forEach(c -> escaped.append(c == '\\' ? "\\e" : c == '-' ? "\\-"
                : c < 128 ? Character.toString(c) : String.format("\\[u%04X]", c)));
        String t = escaped.toString();
        StringBuilder out = new StringBuilder();
        for (String line : t.split("\n", -1)) {
            if (out.length() > 0) out.append('\n');
            if (line.startsWith(".") || line.startsWith("'")) out.append("\\&");
            out.append(line);
        }
        return out.toString();
    }
}
