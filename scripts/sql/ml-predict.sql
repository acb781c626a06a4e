-- ML_PREDICT through the gpufaas job, run by Flink's SQL client against scripts/cluster.sh's
-- cluster (scripts/sql-client.sh -f scripts/sql/ml-predict.sql; checked by scripts/sql-check.sh).
-- The connector jar is added by sql-client.sh; in your own client: ADD JAR '.../gpufaas-sql-connector-<version>.jar';
SET 'sql-client.execution.result-mode' = 'tableau';
-- ML_PREDICT is planned for streaming only; the bounded VALUES below end the query anyway.
SET 'execution.runtime-mode' = 'streaming';
SET 'parallelism.default' = '1';
-- Flink's async ML_PREDICT settings: as many rows in flight as the provider allows, in any order.
SET 'table.exec.async-ml-predict.max-concurrent-operations' = '256';
SET 'table.exec.async-ml-predict.output-mode' = 'ALLOW_UNORDERED';

-- Images: tiny-cnn classifies encoded PNG/JPEG bytes (here 4x4 pixels of one colour).
CREATE TEMPORARY MODEL image_model
  INPUT (image BYTES)
  OUTPUT (status STRING, label STRING, score DOUBLE, error STRING)
  WITH ('provider' = 'gpufaas', 'function' = 'tiny-cnn', 'bootstrap-servers' = '${BOOTSTRAP}', 'timeout' = '30 s');

CREATE TEMPORARY VIEW images (name, image) AS VALUES
  ('red', X'89504E470D0A1A0A0000000D4948445200000004000000040802000000269309290000001049444154789C63F8CFC000470CC47100AE930FF1D05F239E0000000049454E44AE426082'),
  ('green', X'89504E470D0A1A0A0000000D4948445200000004000000040802000000269309290000000F49444154789C6360F8CF8040C471009EA30FF165B764080000000049454E44AE426082'),
  ('blue', X'89504E470D0A1A0A0000000D4948445200000004000000040802000000269309290000001049444154789C636060F88F8488E200008EB30FF1B3A32F330000000049454E44AE426082'),
  ('not-an-image', X'010203');

SELECT 'image' AS kind, name, status, label, error FROM ML_PREDICT(TABLE images, MODEL image_model, DESCRIPTOR(image));

-- Tensors: tiny-mlp takes a row of 4 floats.
CREATE TEMPORARY MODEL tensor_model
  INPUT (features ARRAY<FLOAT>)
  OUTPUT (status STRING, label STRING, score DOUBLE, error STRING)
  WITH ('provider' = 'gpufaas', 'function' = 'tiny-mlp', 'bootstrap-servers' = '${BOOTSTRAP}', 'tensor.shape' = '1,4',
        'timeout' = '30 s');

CREATE TEMPORARY VIEW tensors (name, features) AS VALUES
  ('ones', ARRAY[CAST(1.0 AS FLOAT), CAST(1.0 AS FLOAT), CAST(1.0 AS FLOAT), CAST(1.0 AS FLOAT)]),
  -- the input udf-gpu/src/test/resources/repo/reference.json records logits for: 'cat' wins
  ('reference', ARRAY[CAST(0.5 AS FLOAT), CAST(-1.0 AS FLOAT), CAST(2.0 AS FLOAT), CAST(0.25 AS FLOAT)]),
  ('three-values', ARRAY[CAST(1.0 AS FLOAT), CAST(2.0 AS FLOAT), CAST(3.0 AS FLOAT)]);

SELECT 'tensor' AS kind, name, status, label, error FROM ML_PREDICT(TABLE tensors, MODEL tensor_model, DESCRIPTOR(features));
