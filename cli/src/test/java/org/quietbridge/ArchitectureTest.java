package org.quietbridge;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The boundaries docs/ARCHITECTURE.md ("Modules") draws, checked on the main classes of every module (cli's
 * test classpath holds them all). Restricted methods, whose {@code @SuppressWarnings("restricted")} does not
 * reach the class files, are checked on the sources by {@link RestrictedMethodsTest}.
 */
@AnalyzeClasses(packages = "org.quietbridge", importOptions = ArchitectureTest.MainCode.class)
class ArchitectureTest {
    /** Main classes only: neither test classes nor the test-jars (test fixtures) of other modules. */
    static final class MainCode implements ImportOption {
        @Override
        public boolean includes(Location location) {
            return !location.contains("/test-classes/") && !location.contains("-tests.jar");
        }
    }

    private static final String[] FILTER_RULES = {"org.quietbridge.frame..", "org.quietbridge.rules..",
        "org.quietbridge.capture.."};

    /** filter-rules depends on no other module: the JDK and snakeyaml only. */
    @ArchTest
    static final ArchRule FILTER_RULES_STANDS_ALONE = classes().that().resideInAnyPackage(FILTER_RULES)
            .should().onlyDependOnClassesThat().resideInAnyPackage(concat(FILTER_RULES, "java..", "org.yaml.snakeyaml.."))
            .because("filter-rules is the rule language and decoder, usable without the bridge");

    /** The lab builds namespaces with host tools: it knows nothing of the bridge. */
    @ArchTest
    static final ArchRule LAB_STANDS_ALONE = classes().that().resideInAPackage("org.quietbridge.lab..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("org.quietbridge.lab..", "java..")
            .because("the lab is the JDK and host tools only, so every module's tests can use it");

    /** bridge-core never reaches the command line or the lab. */
    @ArchTest
    static final ArchRule BRIDGE_CORE_BELOW_CLI = noClasses().that().resideInAPackage("org.quietbridge.bridge..")
            .should().dependOnClassesThat().resideInAnyPackage("org.quietbridge.cli..", "org.quietbridge.lab..");

    /** Native functions are looked up in one package, which gives the rest typed Java methods. */
    @ArchTest
    static final ArchRule ONLY_SYS_LINKS = noClasses().that().resideOutsideOfPackage("org.quietbridge.bridge.sys..")
            .should().dependOnClassesThat().belongToAnyOf(Linker.class, SymbolLookup.class);

    /** bridge-core's packages form layers, not cycles. */
    @ArchTest
    static final ArchRule BRIDGE_CORE_HAS_NO_CYCLES = slices().matching("org.quietbridge.bridge.(**)")
            .should().beFreeOfCycles();

    /** Every module's packages, likewise. */
    @ArchTest
    static final ArchRule NO_CYCLES = slices().matching("org.quietbridge.(*)..").should().beFreeOfCycles();

    /** A class says what it is, not that it helps. */
    @ArchTest
    static final ArchRule NO_GRAB_BAGS = noClasses().that().resideInAPackage("org.quietbridge..")
            .should().haveSimpleNameEndingWith("Util").orShould().haveSimpleNameEndingWith("Utils")
            .orShould().haveSimpleNameEndingWith("Helper").orShould().haveSimpleNameEndingWith("Manager");

    private static String[] concat(String[] a, String... b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
