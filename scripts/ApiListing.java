import java.io.IOException;
import java.lang.classfile.AccessFlags;
import java.lang.classfile.Attributes;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.ClassSignature;
import java.lang.classfile.FieldModel;
import java.lang.classfile.MethodModel;
import java.lang.classfile.MethodSignature;
import java.lang.classfile.Signature;
import java.lang.classfile.attribute.InnerClassInfo;
import java.lang.classfile.attribute.ModuleAttribute;
import java.lang.classfile.attribute.ModuleExportInfo;
import java.lang.classfile.constantpool.ClassEntry;
import java.lang.constant.ClassDesc;
import java.lang.reflect.AccessFlag;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Lists the public API of one compiled library module and compares it with the committed listing.
 *
 * <p>The API is every type of an unqualified {@code exports} of the module descriptor that a
 * consumer can name (public, nested types public or protected inside such types), with its
 * supertypes, and every public or protected (protected only where the type can be extended) field,
 * constructor and method, with generic signatures and {@code throws} clauses. Generated and bridge
 * members are left out. One line per type or member, types sorted, members sorted under their type.
 *
 * <p>Usage: {@code java scripts/ApiListing.java CLASSES_DIR LISTING --update=false|true}. With
 * {@code false} it exits 1, printing the difference and the command that updates the listing, when
 * the listing differs; with {@code true}, it rewrites the listing. A directory without {@code module-info.class} (a pom-only module) has no API: the
 * check passes and nothing is written. Run by the build (root pom, {@code verify}) for every module.
 */
public final class ApiListing {
    private static final String UPDATE = "scripts/api-baseline";

    private ApiListing() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 3 || !args[2].matches("--update=(true|false)")) {
            System.err.println("usage: java scripts/ApiListing.java CLASSES_DIR LISTING --update=true|false");
            System.exit(2);
        }
        Path classes = Path.of(args[0]);
        Path listing = Path.of(args[1]);
        if (!Files.isRegularFile(classes.resolve("module-info.class"))) {
            return;
        }
        List<String> current = list(classes);
        if (args[2].equals("--update=true")) {
            Files.createDirectories(listing.toAbsolutePath().getParent());
            Files.write(listing, current);
            System.out.println("API listing written: " + listing);
            return;
        }
        List<String> recorded = Files.exists(listing) ? Files.readAllLines(listing) : List.of();
        if (recorded.equals(current)) {
            return;
        }
        Set<String> was = new HashSet<>(recorded);
        Set<String> now = new HashSet<>(current);
        System.err.println("The public API differs from " + listing + (recorded.isEmpty() ? " (missing)" : "") + ":");
        recorded.stream().filter(line -> !now.contains(line)).forEach(line -> System.err.println("- " + line));
        current.stream().filter(line -> !was.contains(line)).forEach(line -> System.err.println("+ " + line));
        System.err.println("If the change is intended (see CONTRIBUTING.md, \"API baseline\"), update the listing with:");
        System.err.println("    " + UPDATE);
        System.exit(1);
    }

    /** The listing of the module compiled into {@code classes}. */
    static List<String> list(Path classes) throws IOException {
        ClassModel descriptor = ClassFile.of().parse(classes.resolve("module-info.class"));
        ModuleAttribute module = descriptor.findAttribute(Attributes.module()).orElseThrow();
        Set<String> exported = module.exports().stream()
                .filter(export -> export.exportsTo().isEmpty())
                .map(ModuleExportInfo::exportedPackage)
                .map(pkg -> pkg.name().stringValue())
                .collect(Collectors.toSet());
        List<ClassModel> types = new ArrayList<>();
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".class")).sorted().toList()) {
                ClassModel type = ClassFile.of().parse(file);
                String internal = type.thisClass().asInternalName();
                int slash = internal.lastIndexOf('/');
                if (slash > 0 && exported.contains(internal.substring(0, slash))) {
                    types.add(type);
                }
            }
        }
        List<String> lines = new ArrayList<>();
        lines.add("module " + module.moduleName().name().stringValue());
        exported.stream().sorted().forEach(pkg -> lines.add("  exports " + pkg.replace('/', '.')));
        Set<String> visible = new HashSet<>();
        types.sort((a, b) -> a.thisClass().asInternalName().compareTo(b.thisClass().asInternalName()));
        for (ClassModel type : types) {
            if (visible(type, types, visible)) {
                lines.addAll(describe(type));
            }
        }
        return lines;
    }

    /** Whether a consumer can name {@code type}: public, and if nested, also its enclosing types. */
    private static boolean visible(ClassModel type, List<ClassModel> types, Set<String> visible) {
        String name = type.thisClass().asInternalName();
        Optional<InnerClassInfo> inner = innerInfo(type);
        if (inner.isEmpty()) {
            boolean isPublic = type.flags().has(AccessFlag.PUBLIC);
            if (isPublic) {
                visible.add(name);
            }
            return isPublic;
        }
        InnerClassInfo info = inner.get();
        boolean accessible = info.flags().contains(AccessFlag.PUBLIC) || info.flags().contains(AccessFlag.PROTECTED);
        boolean outerVisible = info.outerClass().map(outer -> visible.contains(outer.asInternalName())).orElse(false);
        if (accessible && outerVisible) {
            visible.add(name);
            return true;
        }
        return false;
    }

    private static Optional<InnerClassInfo> innerInfo(ClassModel type) {
        return type.findAttribute(Attributes.innerClasses()).stream()
                .flatMap(attribute -> attribute.classes().stream())
                .filter(info -> info.innerClass().asInternalName().equals(type.thisClass().asInternalName()))
                .findFirst();
    }

    private static List<String> describe(ClassModel type) {
        String name = javaName(type.thisClass());
        Set<AccessFlag> flags = innerInfo(type).map(InnerClassInfo::flags).orElse(type.flags().flags());
        boolean extensible = !flags.contains(AccessFlag.FINAL);
        StringBuilder header = new StringBuilder(name).append(": ").append(modifiers(flags, true));
        header.append(kind(type, flags)).append(' ').append(simpleName(name));
        Optional<ClassSignature> generic = type.findAttribute(Attributes.signature()).map(s -> s.asClassSignature());
        String superclass;
        List<String> interfaces;
        if (generic.isPresent()) {
            header.append(typeParameters(generic.get().typeParameters()));
            superclass = show(generic.get().superclassSignature());
            interfaces = generic.get().superinterfaceSignatures().stream().map(ApiListing::show).toList();
        } else {
            superclass = type.superclass().map(ApiListing::javaName).orElse("java.lang.Object");
            interfaces = type.interfaces().stream().map(ApiListing::javaName).toList();
        }
        boolean isInterface = flags.contains(AccessFlag.INTERFACE);
        if (!isInterface && !superclass.equals("java.lang.Object")) {
            header.append(" extends ").append(superclass);
        }
        if (!interfaces.isEmpty()) {
            header.append(isInterface ? " extends " : " implements ").append(String.join(", ", interfaces));
        }
        type.findAttribute(Attributes.permittedSubclasses()).ifPresent(permitted -> header.append(" permits ")
                .append(permitted.permittedSubclasses().stream().map(ApiListing::javaName).sorted()
                        .collect(Collectors.joining(", "))));
        List<String> members = new ArrayList<>();
        for (FieldModel field : type.fields()) {
            if (api(field.flags(), extensible)) {
                String fieldType = field.findAttribute(Attributes.signature())
                        .map(s -> show(s.asTypeSignature())).orElse(javaName(field.fieldTypeSymbol()));
                members.add(name + ": " + modifiers(field.flags().flags(), false) + fieldType + " " + field.fieldName().stringValue());
            }
        }
        for (MethodModel method : type.methods()) {
            if (api(method.flags(), extensible) && !method.flags().has(AccessFlag.BRIDGE)) {
                members.add(name + ": " + method(type, method));
            }
        }
        members.sort(null);
        List<String> lines = new ArrayList<>();
        lines.add(header.toString());
        lines.addAll(members);
        return lines;
    }

    private static boolean api(AccessFlags flags, boolean extensible) {
        return !flags.has(AccessFlag.SYNTHETIC)
                && (flags.has(AccessFlag.PUBLIC) || (extensible && flags.has(AccessFlag.PROTECTED)));
    }

    private static String method(ClassModel type, MethodModel method) {
        String methodName = method.methodName().stringValue();
        boolean constructor = methodName.equals("<init>");
        Set<AccessFlag> flags = method.flags().flags();
        StringBuilder line = new StringBuilder(modifiers(flags, false));
        if (!constructor && type.flags().has(AccessFlag.INTERFACE) && !flags.contains(AccessFlag.ABSTRACT)
                && !flags.contains(AccessFlag.STATIC)) {
            line.append("default ");
        }
        Optional<MethodSignature> generic = method.findAttribute(Attributes.signature()).map(s -> s.asMethodSignature());
        List<String> parameters;
        String result;
        List<String> thrown;
        if (generic.isPresent()) {
            line.append(typeParameters(generic.get().typeParameters()));
            if (!generic.get().typeParameters().isEmpty()) {
                line.append(' ');
            }
            parameters = generic.get().arguments().stream().map(ApiListing::show).toList();
            result = show(generic.get().result());
            thrown = generic.get().throwableSignatures().stream().map(ApiListing::show).toList();
        } else {
            parameters = method.methodTypeSymbol().parameterList().stream().map(ApiListing::javaName).toList();
            result = javaName(method.methodTypeSymbol().returnType());
            thrown = List.of();
        }
        if (thrown.isEmpty()) {
            thrown = method.findAttribute(Attributes.exceptions()).stream()
                    .flatMap(e -> e.exceptions().stream()).map(ApiListing::javaName).toList();
        }
        if (constructor) {
            line.append(simpleName(javaName(type.thisClass())));
        } else {
            line.append(result).append(' ').append(methodName);
        }
        if (flags.contains(AccessFlag.VARARGS)) {
            parameters = new ArrayList<>(parameters);
            String last = parameters.removeLast();
            parameters.add(last.substring(0, last.length() - 2) + "...");
        }
        line.append('(').append(String.join(", ", parameters)).append(')');
        if (!thrown.isEmpty()) {
            line.append(" throws ").append(thrown.stream().sorted().collect(Collectors.joining(", ")));
        }
        return line.toString();
    }

    private static String modifiers(Set<AccessFlag> flags, boolean type) {
        StringBuilder text = new StringBuilder();
        for (AccessFlag flag : List.of(AccessFlag.PUBLIC, AccessFlag.PROTECTED, AccessFlag.STATIC, AccessFlag.FINAL,
                AccessFlag.ABSTRACT, AccessFlag.SYNCHRONIZED, AccessFlag.VOLATILE, AccessFlag.TRANSIENT)) {
            boolean implied = type && (flag == AccessFlag.ABSTRACT || flag == AccessFlag.STATIC)
                    && flags.contains(AccessFlag.INTERFACE);
            if (flags.contains(flag) && !implied && !(type && flag == AccessFlag.SYNCHRONIZED)) {
                text.append(flag.name().toLowerCase()).append(' ');
            }
        }
        return text.toString();
    }

    private static String kind(ClassModel type, Set<AccessFlag> flags) {
        if (flags.contains(AccessFlag.ANNOTATION)) {
            return "@interface";
        }
        if (flags.contains(AccessFlag.INTERFACE)) {
            return "interface";
        }
        if (flags.contains(AccessFlag.ENUM)) {
            return "enum";
        }
        return type.findAttribute(Attributes.record()).isPresent() ? "record" : "class";
    }

    private static String typeParameters(List<Signature.TypeParam> parameters) {
        if (parameters.isEmpty()) {
            return "";
        }
        return parameters.stream().map(p -> {
            List<String> bounds = new ArrayList<>();
            p.classBound().map(ApiListing::show).filter(b -> !b.equals("java.lang.Object")).ifPresent(bounds::add);
            p.interfaceBounds().forEach(b -> bounds.add(show(b)));
            return p.identifier() + (bounds.isEmpty() ? "" : " extends " + String.join(" & ", bounds));
        }).collect(Collectors.joining(", ", "<", ">"));
    }

    private static String show(Signature signature) {
        return switch (signature) {
            case Signature.BaseTypeSig base -> javaName(ClassDesc.ofDescriptor(String.valueOf(base.baseType())));
            case Signature.TypeVarSig variable -> variable.identifier();
            case Signature.ArrayTypeSig array -> show(array.componentSignature()) + "[]";
            case Signature.ClassTypeSig type -> {
                String outer = type.outerType().map(o -> show(o) + ".").orElse("");
                String simple = outer.isEmpty() ? type.className().replace('/', '.') : type.className();
                String arguments = type.typeArgs().isEmpty() ? "" : type.typeArgs().stream()
                        .map(ApiListing::show).collect(Collectors.joining(", ", "<", ">"));
                yield (outer + simple).replace('$', '.') + arguments;
            }
        };
    }

    private static String show(Signature.TypeArg argument) {
        return switch (argument) {
            case Signature.TypeArg.Unbounded _ -> "?";
            case Signature.TypeArg.Bounded bounded -> switch (bounded.wildcardIndicator()) {
                case NONE -> show(bounded.boundType());
                case EXTENDS -> "? extends " + show(bounded.boundType());
                case SUPER -> "? super " + show(bounded.boundType());
            };
        };
    }

    private static String javaName(ClassEntry entry) {
        return entry.asInternalName().replace('/', '.').replace('$', '.');
    }

    private static String javaName(ClassDesc desc) {
        if (desc.isArray()) {
            return javaName(desc.componentType()) + "[]";
        }
        if (desc.isPrimitive()) {
            return desc.displayName();
        }
        String pkg = desc.packageName();
        return (pkg.isEmpty() ? "" : pkg + ".") + desc.displayName().replace('$', '.');
    }

    private static String simpleName(String javaName) {
        return javaName.substring(javaName.lastIndexOf('.') + 1);
    }
}
