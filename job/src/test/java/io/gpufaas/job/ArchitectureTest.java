package io.gpufaas.job;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The architecture, as rules that fail the build: core logic is plain Java; Flink operators are
 * thin adapters over core and udf-gpu; nothing depends back on them; no package cycles.
 */
class ArchitectureTest {

    private static JavaClasses classes;

    @BeforeAll
    static void importProduction() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.gpufaas");
    }

    @Test
    void coreIsFreeOfFlinkAndOfEveryOtherModule() {
        noClasses().that().resideInAPackage("io.gpufaas.core..")
                .should().dependOnClassesThat().resideInAnyPackage("org.apache.flink..", "org.apache.kafka..",
                        "io.gpufaas.udf..", "io.gpufaas.operators..", "io.gpufaas.job..")
                .check(classes);
    }

    @Test
    void udfDependsOnFlinkOnlyInItsGpuPlugin() {
        noClasses().that().resideInAPackage("io.gpufaas.udf..")
                .and().resideOutsideOfPackage("io.gpufaas.udf.flinkplugin..")
                .should().dependOnClassesThat().resideInAnyPackage("org.apache.flink..", "org.apache.kafka..",
                        "io.gpufaas.operators..", "io.gpufaas.job..")
                .check(classes);
    }

    @Test
    void theClientIsPlainJavaOverKafka() {
        noClasses().that().resideInAPackage("io.gpufaas.client..")
                .should().dependOnClassesThat().resideInAnyPackage("org.apache.flink..", "io.gpufaas.udf..",
                        "io.gpufaas.operators..", "io.gpufaas.job..")
                .check(classes);
    }

    @Test
    void operatorsDependOnCoreAndUdfNeverTheReverse() {
        noClasses().that().resideInAPackage("io.gpufaas.operators..")
                .should().dependOnClassesThat().resideInAPackage("io.gpufaas.job..")
                .check(classes);
    }

    @Test
    void everyClassInOperatorsIsAFlinkAdapter() {
        classes().that().resideInAPackage("io.gpufaas.operators..")
                .and().areTopLevelClasses()
                .should().dependOnClassesThat().resideInAPackage("org.apache.flink..")
                .because("Flink-free logic belongs in core or udf-gpu, where the simulator and tests can share it")
                .check(classes);
    }

    /**
     * Inside core: the simulator drives the router and the worker runtime; the router and the
     * worker runtime are peers that share only the cache and the contract; the cache and the
     * contract know neither.
     */
    @Test
    void coreIsLayered() {
        noClasses().that().resideInAPackage("io.gpufaas.core.router..")
                .should().dependOnClassesThat().resideInAnyPackage("io.gpufaas.core.worker..", "io.gpufaas.core.sim..")
                .check(classes);
        noClasses().that().resideInAPackage("io.gpufaas.core.worker..")
                .should().dependOnClassesThat().resideInAnyPackage("io.gpufaas.core.router..", "io.gpufaas.core.sim..")
                .check(classes);
        noClasses().that().resideInAnyPackage("io.gpufaas.core.cache..", "io.gpufaas.core.contract..")
                .should().dependOnClassesThat().resideInAnyPackage("io.gpufaas.core.router..",
                        "io.gpufaas.core.worker..", "io.gpufaas.core.sim..")
                .check(classes);
        // The policies choose over the view they are given; the router that drives them sits above.
        noClasses().that().resideInAPackage("io.gpufaas.core.router.policy")
                .should().dependOnClassesThat().resideInAPackage("io.gpufaas.core.router")
                .check(classes);
    }

    @Test
    void noPackageCycles() {
        slices().matching("io.gpufaas.(**)").should().beFreeOfCycles().check(classes);
    }
}
