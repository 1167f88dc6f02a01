package dev.lockstep;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The house's floors as import rules, so that they hold by the build and not by discipline: the core never sees a
 * step type, AWS and Kubernetes client classes stay in their step folders, each layer sees only the ones below it
 * (cli → tui/report → engine → store → journal), step types see nothing of lockstep but {@code spi}, which itself
 * depends on nothing else of lockstep, step folders do not see one another, and no package cycle appears.
 */
class ArchitectureTest {
    private static JavaClasses lockstep;

    @BeforeAll
    static void importMainClasses() {
        lockstep = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.lockstep");
    }

    @Test
    void theCoreNeverSeesAStepType() {
        check(noClasses().that(not(resideInAPackage("dev.lockstep.steps.."))).should().dependOnClassesThat()
                .resideInAPackage("dev.lockstep.steps.."));
    }

    @Test
    void awsAndKubernetesClientsStayInTheirStepFolders() {
        check(noClasses().that(not(resideInAPackage("dev.lockstep.steps.aws.."))).should().dependOnClassesThat()
                .resideInAPackage("software.amazon.."));
        check(noClasses().that(not(resideInAPackage("dev.lockstep.steps.kube.."))).should().dependOnClassesThat()
                .resideInAPackage("io.fabric8.."));
    }

    @Test
    void eachLayerSeesOnlyTheOnesBelowIt() {
        check(noClasses().that().resideInAPackage("dev.lockstep.journal..").should().dependOnClassesThat()
                .resideInAnyPackage("dev.lockstep.store..", "dev.lockstep.engine..", "dev.lockstep.tui..",
                        "dev.lockstep.report..", "dev.lockstep.cli.."));
        check(noClasses().that().resideInAPackage("dev.lockstep.store..").should().dependOnClassesThat()
                .resideInAnyPackage("dev.lockstep.engine..", "dev.lockstep.tui..", "dev.lockstep.report..", "dev.lockstep.cli.."));
        check(noClasses().that().resideInAPackage("dev.lockstep.engine..").should().dependOnClassesThat()
                .resideInAnyPackage("dev.lockstep.tui..", "dev.lockstep.report..", "dev.lockstep.cli.."));
        check(noClasses().that().resideInAnyPackage("dev.lockstep.tui..", "dev.lockstep.report..").should()
                .dependOnClassesThat().resideInAPackage("dev.lockstep.cli.."));
        check(noClasses().that().resideInAPackage("dev.lockstep.tui..").should().dependOnClassesThat()
                .resideInAPackage("dev.lockstep.report.."));
        check(noClasses().that().resideInAPackage("dev.lockstep.report..").should().dependOnClassesThat()
                .resideInAPackage("dev.lockstep.tui.."));
    }

    @Test
    void stepTypesSeeOnlyTheSpi() {
        check(noClasses().that().resideInAPackage("dev.lockstep.steps..").should().dependOnClassesThat(
                resideInAPackage("dev.lockstep..").and(not(resideInAnyPackage("dev.lockstep.spi..", "dev.lockstep.steps..")))));
    }

    @Test
    void theSpiDependsOnNothingElseOfLockstep() {
        check(noClasses().that().resideInAPackage("dev.lockstep.spi..").should().dependOnClassesThat(
                resideInAPackage("dev.lockstep..").and(not(resideInAPackage("dev.lockstep.spi..")))));
    }

    @Test
    void stepFoldersDoNotSeeOneAnother() {
        check(slices().matching("dev.lockstep.steps.(*)..").should().notDependOnEachOther());
    }

    @Test
    void noPackageCycle() {
        check(slices().matching("dev.lockstep.(**)").should().beFreeOfCycles());
    }

    private static void check(ArchRule rule) {
        rule.check(lockstep);
    }
}
