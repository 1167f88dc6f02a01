package dev.lockstep.steps.aws;

import dev.lockstep.spi.Position;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * A CloudFormation template as a YAML node tree: its short-form intrinsics ({@code !Ref},
 * {@code !Sub}, {@code !GetAtt}) and every scalar kept as written, so that adding a fragment
 * or applying a patch changes only what it names. Also reads fragment and patch files, every
 * problem at its {@code file:line:col}.
 *
 * <p>A <b>fragment</b> is a template piece: entries under {@code Parameters}, {@code Resources},
 * {@code Outputs}, {@code Conditions} or {@code Mappings}, each added to the template; a name
 * the template already has is refused. A <b>patch</b> is a list of edits:
 * <pre>
 * - set: Parameters.ContainerImage.Default          # replace (or create) a value
 *   value: ghcr.io/unicitynetwork/unicity-relay:pg-migration
 * - add: Resources.Task.Properties.ContainerDefinitions[Name=relay].Environment   # append to a list
 *   value: { Name: DATABASE_URL, Value: !Sub "postgres://…" }
 * - remove: Resources.Task.Properties.ContainerDefinitions[Name=relay].Environment[Name=DATA]
 * - remove: Resources.Service.DependsOn[=EFSMountTarget1]
 * </pre>
 * A path is keys joined by dots; {@code [Field=value]} picks the one list item whose
 * {@code Field} is that value, {@code [=value]} the one scalar item. Every path must find
 * exactly what it names in the stack's template (a {@code remove} of something absent, an
 * {@code add} of a list item or key that is already there, are refused), so a patch written
 * for one template never silently does something else to another.
 */
final class CfnTemplate {
    /** The sections a fragment may add to. */
    static final List<String> SECTIONS = List.of("Parameters", "Mappings", "Conditions", "Resources", "Outputs");
    /** CloudFormation takes at most this many bytes in TemplateBody. */
    static final int MAX_BODY = 51_200;
    private static final Pattern SEGMENT = Pattern.compile("([A-Za-z0-9_:-]+)(?:\\[([A-Za-z0-9_]*)=([^\\]]*)\\])?");

    private CfnTemplate() {}

    /** A problem with a fragment, patch or template, at its place. */
    static final class Problem extends Exception {
        /** Where, or null when the problem has no place in a file. */
        final transient Position at;
        final String detail;

        Problem(Position at, String message) {
            super(at + ": " + message);
            this.at = at;
            this.detail = message;
        }
    }

    /** One edit of a patch file. */
    record Edit(String op, String path, Node value, Position at) {}

    private static LoaderOptions loaderOptions() {
        LoaderOptions o = new LoaderOptions();
        o.setCodePointLimit(1 << 20);
        o.setMaxAliasesForCollections(50);
        o.setNestingDepthLimit(50);
        o.setAllowDuplicateKeys(false);
        return o;
    }

    /** Parses a template, fragment or patch; {@code name} names it in messages. */
    static Node parse(String text, String name) throws Problem {
        try {
            Node n = new Yaml(loaderOptions()).compose(new StringReader(text));
            if (n == null) throw new Problem(new Position(name, 1, 1), "expected a YAML mapping, got an empty document");
            return n;
        } catch (MarkedYAMLException e) {
            var m = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            throw new Problem(new Position(name, m == null ? 1 : m.getLine() + 1, m == null ? 1 : m.getColumn() + 1),
                    String.valueOf(e.getProblem()));
        } catch (YAMLException e) {
            throw new Problem(new Position(name, 1, 1), String.valueOf(e.getMessage()));
        }
    }

    /** The tree as YAML, intrinsics and scalars as they were written. */
    static String write(Node root) {
        DumperOptions o = new DumperOptions();
        o.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        o.setIndent(2);
        o.setIndicatorIndent(2);
        o.setIndentWithIndicator(true);
        o.setWidth(200);
        o.setSplitLines(false);
        StringWriter out = new StringWriter();
        new Yaml(o).serialize(root, out);
        return out.toString();
    }

    static Position at(Node n, String name) {
        return new Position(name, n.getStartMark().getLine() + 1, n.getStartMark().getColumn() + 1);
    }

    static MappingNode mapping(Node n, String name, String what) throws Problem {
        if (n instanceof MappingNode m) return m;
        throw new Problem(at(n, name), what + ": expected a mapping");
    }

    static NodeTuple entry(MappingNode m, String key) {
        for (NodeTuple t : m.getValue()) if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals(key)) return t;
        return null;
    }

    static Node get(MappingNode m, String key) {
        NodeTuple t = entry(m, key);
        return t == null ? null : t.getValueNode();
    }

    /** Checks a fragment file's shape: sections this lockstep adds to, each a mapping. */
    static MappingNode fragment(String text, String name) throws Problem {
        MappingNode root = mapping(parse(text, name), name, "a template fragment");
        for (NodeTuple t : root.getValue()) {
            String section = ((ScalarNode) t.getKeyNode()).getValue();
            if (!SECTIONS.contains(section)) {
                throw new Problem(at(t.getKeyNode(), name), "unknown section '" + section + "' in a fragment: expected one of "
                        + String.join(", ", SECTIONS));
            }
            mapping(t.getValueNode(), name, section);
        }
        return root;
    }

    /** Reads a patch file: a list of set/add/remove edits with well-formed paths. */
    static List<Edit> patch(String text, String name) throws Problem {
        Node root = parse(text, name);
        if (!(root instanceof SequenceNode seq)) throw new Problem(at(root, name), "a patch: expected a list of set, add or remove edits");
        List<Edit> edits = new ArrayList<>();
        for (Node item : seq.getValue()) {
            MappingNode m = mapping(item, name, "an edit");
            String op = null;
            String path = null;
            Node value = null;
            for (NodeTuple t : m.getValue()) {
                String k = ((ScalarNode) t.getKeyNode()).getValue();
                switch (k) {
                    case "set", "add", "remove" -> {
                        if (op != null) throw new Problem(at(t.getKeyNode(), name), "one of set, add or remove per edit, not both " + op + " and " + k);
                        if (!(t.getValueNode() instanceof ScalarNode p)) throw new Problem(at(t.getValueNode(), name), k + ": expected a path such as Resources.Name.Properties.Key");
                        op = k;
                        path = p.getValue();
                        segments(path, at(p, name));
                    }
                    case "value" -> value = t.getValueNode();
                    default -> throw new Problem(at(t.getKeyNode(), name), "unknown key '" + k + "' in an edit: expected set, add or remove, and value");
                }
            }
            if (op == null) throw new Problem(at(m, name), "an edit: expected set, add or remove");
            if (op.equals("remove") && value != null) throw new Problem(at(m, name), "remove takes no value");
            if (!op.equals("remove") && value == null) throw new Problem(at(m, name), op + " needs a value");
            edits.add(new Edit(op, path, value, at(m, name)));
        }
        return edits;
    }

    /** One step of a path: a key, and optionally which list item under it. */
    private record Segment(String key, String field, String value) {
        boolean selects() {
            return value != null;
        }

        String text() {
            return key + (selects() ? "[" + field + "=" + value + "]" : "");
        }
    }

    private static List<Segment> segments(String path, Position at) throws Problem {
        List<Segment> out = new ArrayList<>();
        // Split on the dots outside brackets: a selected value may hold dots (an image tag).
        int depth = 0;
        int from = 0;
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < path.length(); i++) {
            char ch = path.charAt(i);
            if (ch == '[') depth++;
            else if (ch == ']') depth--;
            else if (ch == '.' && depth == 0) {
                parts.add(path.substring(from, i));
                from = i + 1;
            }
        }
        parts.add(path.substring(from));
        for (String p : parts) {
            Matcher m = SEGMENT.matcher(p);
            if (!m.matches()) {
                throw new Problem(at, "bad path '" + path + "' at '" + p + "': expected Key or Key[Field=value] or Key[=value], joined by dots");
            }
            out.add(new Segment(m.group(1), m.group(3) == null ? null : m.group(2), m.group(3)));
        }
        if (out.size() < 2) throw new Problem(at, "bad path '" + path + "': expected at least a section and a name, such as Resources.Name");
        return out;
    }

    /** Adds every entry of a fragment to the template; a name the template has already is refused. */
    static void add(MappingNode template, MappingNode fragment, String name) throws Problem {
        for (NodeTuple section : fragment.getValue()) {
            String s = ((ScalarNode) section.getKeyNode()).getValue();
            MappingNode into = (MappingNode) get(template, s);
            if (into == null) {
                into = new MappingNode(org.yaml.snakeyaml.nodes.Tag.MAP, new ArrayList<>(), DumperOptions.FlowStyle.BLOCK);
                template.getValue().add(new NodeTuple(new ScalarNode(org.yaml.snakeyaml.nodes.Tag.STR, s, null, null,
                        DumperOptions.ScalarStyle.PLAIN), into));
            }
            for (NodeTuple e : ((MappingNode) section.getValueNode()).getValue()) {
                String key = ((ScalarNode) e.getKeyNode()).getValue();
                if (entry(into, key) != null) {
                    throw new Problem(at(e.getKeyNode(), name), s + "." + key + " is in the stack's template already: "
                            + "a fragment only adds, it never replaces (use a patch's set to change it)");
                }
                // Parameters and resources share the names Ref can reach.
                String other = s.equals("Resources") ? "Parameters" : s.equals("Parameters") ? "Resources" : null;
                if (other != null && get(template, other) instanceof MappingNode o && entry(o, key) != null) {
                    throw new Problem(at(e.getKeyNode(), name), key + " is a name in the template's " + other + " already");
                }
                into.getValue().add(e);
            }
        }
    }

    /** Applies one edit to the template, or says what in the template does not fit it. */
    static void apply(MappingNode template, Edit edit) throws Problem {
        List<Segment> path = segments(edit.path(), edit.at());
        Node at = template;
        String where = "";
        for (int i = 0; i < path.size() - 1; i++) {
            at = step(at, path.get(i), where, edit);
            where = where.isEmpty() ? path.get(i).text() : where + "." + path.get(i).text();
        }
        Segment last = path.get(path.size() - 1);
        String full = edit.path();
        if (!(at instanceof MappingNode parent)) throw new Problem(edit.at(), full + ": " + where + " is not a mapping in the stack's template");
        NodeTuple t = entry(parent, last.key());
        if (last.selects()) {
            if (t == null || !(t.getValueNode() instanceof SequenceNode list)) {
                throw new Problem(edit.at(), full + ": the stack's template has no list " + where + "." + last.key());
            }
            int index = pick(list, last, full, edit);
            switch (edit.op()) {
                case "remove" -> {
                    list.getValue().remove(index);
                    // DependsOn with nothing left says nothing: drop it rather than leave an empty list.
                    if (list.getValue().isEmpty() && last.key().equals("DependsOn")) parent.getValue().remove(t);
                }
                case "set" -> list.getValue().set(index, edit.value());
                default -> throw new Problem(edit.at(), full + ": add takes a list or a new key, not a selected item");
            }
            return;
        }
        switch (edit.op()) {
            case "remove" -> {
                if (t == null) throw new Problem(edit.at(), full + ": the stack's template has no " + full + " to remove");
                parent.getValue().remove(t);
            }
            case "set" -> {
                if (t == null) {
                    parent.getValue().add(new NodeTuple(key(last.key()), edit.value()));
                } else {
                    parent.getValue().set(parent.getValue().indexOf(t), new NodeTuple(t.getKeyNode(), edit.value()));
                }
            }
            default -> {
                if (t == null) {
                    parent.getValue().add(new NodeTuple(key(last.key()), edit.value()));
                } else if (t.getValueNode() instanceof SequenceNode list) {
                    for (Node item : list.getValue()) {
                        if (same(item, edit.value())) {
                            throw new Problem(edit.at(), full + ": the list has this item already (" + label(item) + ")");
                        }
                    }
                    list.getValue().add(edit.value());
                } else {
                    throw new Problem(edit.at(), full + " is in the stack's template already: add never replaces (use set)");
                }
            }
        }
    }

    private static Node step(Node at, Segment s, String where, Edit edit) throws Problem {
        if (!(at instanceof MappingNode m)) throw new Problem(edit.at(), edit.path() + ": " + where + " is not a mapping in the stack's template");
        Node next = get(m, s.key());
        if (next == null) throw new Problem(edit.at(), edit.path() + ": the stack's template has no " + (where.isEmpty() ? "" : where + ".") + s.key());
        if (!s.selects()) return next;
        if (!(next instanceof SequenceNode list)) throw new Problem(edit.at(), edit.path() + ": " + s.key() + " is not a list");
        return list.getValue().get(pick(list, s, edit.path(), edit));
    }

    /** The one item a selector names; none or several is a problem. */
    private static int pick(SequenceNode list, Segment s, String full, Edit edit) throws Problem {
        List<Integer> found = new ArrayList<>();
        for (int i = 0; i < list.getValue().size(); i++) {
            Node item = list.getValue().get(i);
            Node probe = s.field().isEmpty() ? item : item instanceof MappingNode m ? get(m, s.field()) : null;
            if (probe instanceof ScalarNode sc && sc.getValue().equals(s.value())) found.add(i);
        }
        if (found.size() != 1) {
            throw new Problem(edit.at(), full + ": " + s.text() + " matches " + found.size() + " items of the stack's template, expected exactly one");
        }
        return found.get(0);
    }

    /** Two list items are the same entry: equal, or mappings with the same Name (an environment variable, a volume). */
    private static boolean same(Node a, Node b) {
        if (a instanceof MappingNode ma && b instanceof MappingNode mb) {
            Node na = get(ma, "Name");
            Node nb = get(mb, "Name");
            if (na instanceof ScalarNode x && nb instanceof ScalarNode y) return x.getValue().equals(y.getValue());
        }
        return a instanceof ScalarNode x && b instanceof ScalarNode y && x.getValue().equals(y.getValue())
                && x.getTag().equals(y.getTag());
    }

    private static String label(Node n) {
        if (n instanceof ScalarNode s) return s.getValue();
        if (n instanceof MappingNode m && get(m, "Name") instanceof ScalarNode s) return "Name " + s.getValue();
        return "an equal item";
    }

    private static ScalarNode key(String k) {
        return new ScalarNode(org.yaml.snakeyaml.nodes.Tag.STR, k, null, null, DumperOptions.ScalarStyle.PLAIN);
    }

    /** Names of the template's parameters marked NoEcho: their values are never shown. */
    static List<String> noEcho(MappingNode template) {
        List<String> out = new ArrayList<>();
        if (get(template, "Parameters") instanceof MappingNode ps) {
            for (NodeTuple t : ps.getValue()) {
                if (t.getValueNode() instanceof MappingNode p && get(p, "NoEcho") instanceof ScalarNode s
                        && s.getValue().equalsIgnoreCase("true")) {
                    out.add(((ScalarNode) t.getKeyNode()).getValue());
                }
            }
        }
        return out;
    }

    /** The template's parameter names. */
    static List<String> parameters(MappingNode template) {
        List<String> out = new ArrayList<>();
        if (get(template, "Parameters") instanceof MappingNode ps) {
            for (NodeTuple t : ps.getValue()) out.add(((ScalarNode) t.getKeyNode()).getValue());
        }
        return out;
    }

    /** The template's logical resource ids. */
    static Set<String> resources(MappingNode template) {
        Set<String> out = new LinkedHashSet<>();
        if (get(template, "Resources") instanceof MappingNode rs) {
            for (NodeTuple t : rs.getValue()) out.add(((ScalarNode) t.getKeyNode()).getValue());
        }
        return out;
    }

    /**
     * A unified diff of two texts (three lines of context), or an empty list when they are
     * equal. Templates are a few hundred lines: the quadratic table is small.
     */
    static List<String> diff(String before, String after, String fromName, String toName) {
        String[] a = before.split("\n", -1);
        String[] b = after.split("\n", -1);
        int n = a.length;
        int m = b.length;
        int[][] lcs = new int[n + 1][m + 1];
        for (int i = n - 1; i >= 0; i--) {
            for (int j = m - 1; j >= 0; j--) {
                lcs[i][j] = a[i].equals(b[j]) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
            }
        }
        // Each line: ' ', '-' or '+', with its numbers in a and b.
        List<String[]> ops = new ArrayList<>();
        int i = 0;
        int j = 0;
        while (i < n || j < m) {
            if (i < n && j < m && a[i].equals(b[j])) {
                ops.add(new String[] {" ", a[i], String.valueOf(i), String.valueOf(j)});
                i++;
                j++;
            } else if (i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1])) {
                ops.add(new String[] {"-", a[i], String.valueOf(i), String.valueOf(j)});
                i++;
            } else {
                ops.add(new String[] {"+", b[j], String.valueOf(i), String.valueOf(j)});
                j++;
            }
        }
        List<String> out = new ArrayList<>();
        int k = 0;
        while (k < ops.size()) {
            if (ops.get(k)[0].equals(" ")) {
                k++;
                continue;
            }
            int start = Math.max(0, k - 3);
            int end = k;
            // Extend the hunk while changes are within six lines of each other.
            int lastChange = k;
            while (end < ops.size() && (end - lastChange) <= 6) {
                if (!ops.get(end)[0].equals(" ")) lastChange = end;
                end++;
            }
            end = Math.min(ops.size(), lastChange + 4);
            if (out.isEmpty()) {
                out.add("--- " + fromName);
                out.add("+++ " + toName);
            }
            int aStart = Integer.parseInt(ops.get(start)[2]) + 1;
            int bStart = Integer.parseInt(ops.get(start)[3]) + 1;
            int aLen = 0;
            int bLen = 0;
            for (int x = start; x < end; x++) {
                if (!ops.get(x)[0].equals("+")) aLen++;
                if (!ops.get(x)[0].equals("-")) bLen++;
            }
            out.add("@@ -" + aStart + "," + aLen + " +" + bStart + "," + bLen + " @@");
            for (int x = start; x < end; x++) out.add(ops.get(x)[0] + ops.get(x)[1]);
            k = end;
        }
        return out;
    }
}
