package io.gpufaas.sql;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.table.catalog.Column;
import org.apache.flink.table.catalog.ResolvedCatalogModel;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.factories.ModelProviderFactory;
import org.apache.flink.table.functions.AsyncPredictFunction;
import org.apache.flink.table.ml.AsyncPredictRuntimeProvider;
import org.apache.flink.table.ml.ModelProvider;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.LogicalTypeRoot;

/**
 * {@code 'provider' = 'gpufaas'}: every row of {@code ML_PREDICT} becomes one invocation of a
 * gpufaas function, sent asynchronously through the {@link io.gpufaas.client.GpuFaasClient}, so
 * the job's router can place it where the model already is, and its workers batch it with other
 * rows of the same model.
 *
 * <p>The model's one input column decides the input kind: STRING is text, BYTES an encoded image,
 * ARRAY&lt;FLOAT&gt; a tensor. Output columns are picked by name from {@link PredictColumns#NAMES}.
 */
public final class GpuFaasModelProviderFactory implements ModelProviderFactory {

    public static final String IDENTIFIER = "gpufaas";

    @Override
    public String factoryIdentifier() {
        return IDENTIFIER;
    }

    @Override
    public Set<ConfigOption<?>> requiredOptions() {
        return Set.of(GpuFaasModelOptions.FUNCTION, GpuFaasModelOptions.BOOTSTRAP_SERVERS);
    }

    @Override
    public Set<ConfigOption<?>> optionalOptions() {
        return Set.of(GpuFaasModelOptions.INVOCATIONS_TOPIC, GpuFaasModelOptions.RESULTS_TOPIC,
                GpuFaasModelOptions.DEAD_LETTERS_TOPIC, GpuFaasModelOptions.TIMEOUT, GpuFaasModelOptions.MAX_IN_FLIGHT,
                GpuFaasModelOptions.TENSOR_SHAPE, GpuFaasModelOptions.ON_ERROR);
    }

    @Override
    public ModelProvider createModelProvider(ModelProviderFactory.Context context) {
        FactoryUtil.ModelProviderFactoryHelper helper = FactoryUtil.createModelProviderFactoryHelper(this, context);
        helper.validate();
        ReadableConfig options = helper.getOptions();
        ResolvedCatalogModel model = context.getCatalogModel();
        List<Column> inputs = model.getResolvedInputSchema().getColumns();
        if (inputs.size() != 1) {
            throw new IllegalArgumentException("a gpufaas model takes one input column (STRING, BYTES or ARRAY<FLOAT>), got "
                    + inputs.size());
        }
        PredictFunction.InputKind kind = inputKind(inputs.get(0).getDataType().getLogicalType());
        List<String> outputs = model.getResolvedOutputSchema().getColumns().stream().map(Column::getName).toList();
        PredictColumns columns = PredictColumns.of(outputs,
                model.getResolvedOutputSchema().getColumns().stream().map(c -> c.getDataType().getLogicalType()).toList());
        String onError = options.get(GpuFaasModelOptions.ON_ERROR).toLowerCase(Locale.ROOT);
        if (!onError.equals("row") && !onError.equals("fail")) {
            throw new IllegalArgumentException("on-error must be 'row' or 'fail', was '" + onError + "'");
        }
        PredictFunction function = new PredictFunction(options.get(GpuFaasModelOptions.FUNCTION),
                options.get(GpuFaasModelOptions.BOOTSTRAP_SERVERS), options.get(GpuFaasModelOptions.INVOCATIONS_TOPIC),
                options.get(GpuFaasModelOptions.RESULTS_TOPIC), options.get(GpuFaasModelOptions.DEAD_LETTERS_TOPIC),
                options.get(GpuFaasModelOptions.TIMEOUT), options.get(GpuFaasModelOptions.MAX_IN_FLIGHT), kind,
                shape(options.getOptional(GpuFaasModelOptions.TENSOR_SHAPE).orElse(null)), columns, onError.equals("fail"));
        return new Provider(function);
    }

    private static PredictFunction.InputKind inputKind(LogicalType type) {
        LogicalTypeRoot root = type.getTypeRoot();
        if (root == LogicalTypeRoot.CHAR || root == LogicalTypeRoot.VARCHAR) {
            return PredictFunction.InputKind.TEXT;
        }
        if (root == LogicalTypeRoot.BINARY || root == LogicalTypeRoot.VARBINARY) {
            return PredictFunction.InputKind.IMAGE;
        }
        if (root == LogicalTypeRoot.ARRAY && type.getChildren().get(0).getTypeRoot() == LogicalTypeRoot.FLOAT) {
            return PredictFunction.InputKind.TENSOR;
        }
        throw new IllegalArgumentException("a gpufaas model's input must be STRING (text), BYTES (an image) or "
                + "ARRAY<FLOAT> (a tensor), got " + type);
    }

    private static long[] shape(String s) {
        if (s == null || s.isBlank()) {
            return null;
        }
        return java.util.Arrays.stream(s.split(",")).map(String::trim).mapToLong(Long::parseLong).toArray();
    }

    /** Hands the planner the async function. */
    static final class Provider implements AsyncPredictRuntimeProvider {
        private final PredictFunction function;

        Provider(PredictFunction function) {
            this.function = function;
        }

        @Override
        public AsyncPredictFunction createAsyncPredictFunction(Context context) {
            return function;
        }

        @Override
        public ModelProvider copy() {
            return new Provider(function);
        }
    }
}
