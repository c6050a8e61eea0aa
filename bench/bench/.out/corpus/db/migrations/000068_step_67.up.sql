CREATE TABLE IF NOT EXISTS t_67_0_0 (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id bigint NOT NULL,
  note text,
  created_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE orders ADD COLUMN c_67_1 text DEFAULT 'x';

CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_67_2 ON orders (customer_id, created_at);

ALTER TABLE orders ADD CONSTRAINT fk_67_3 FOREIGN KEY (account_id) REFERENCES accounts (id) NOT VALID;

ALTER TABLE orders VALIDATE CONSTRAINT fk_67_4;

SET lock_timeout = '2s';

UPDATE orders SET status = 'new' WHERE id BETWEEN 6000 AND 6999;

CREATE INDEX idx_plain_67_7 ON orders (status);

ALTER TABLE orders ALTER COLUMN c_67_1 SET NOT NULL;

COMMENT ON COLUMN orders.status IS 'state of the order: new, paid, shipped';

ALTER TABLE orders ADD COLUMN token_67_10 uuid DEFAULT gen_random_uuid();

INSERT INTO audit_log (kind, payload) VALUES ('migration', '{"file": 67, "step": 11}');

CREATE TABLE IF NOT EXISTS t_67_5_12 (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id bigint NOT NULL,
  note text,
  created_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE orders ADD COLUMN c_67_13 text DEFAULT 'x';

CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_67_14 ON orders (customer_id, created_at);

ALTER TABLE orders ADD CONSTRAINT fk_67_15 FOREIGN KEY (account_id) REFERENCES accounts (id) NOT VALID;

ALTER TABLE orders VALIDATE CONSTRAINT fk_67_16;

SET lock_timeout = '2s';

UPDATE orders SET status = 'new' WHERE id BETWEEN 18000 AND 18999;

CREATE INDEX idx_plain_67_19 ON orders (status);

ALTER TABLE orders ALTER COLUMN c_67_13 SET NOT NULL;

COMMENT ON COLUMN orders.status IS 'state of the order: new, paid, shipped';

ALTER TABLE orders ADD COLUMN token_67_22 uuid DEFAULT gen_random_uuid();

INSERT INTO audit_log (kind, payload) VALUES ('migration', '{"file": 67, "step": 23}');

CREATE TABLE IF NOT EXISTS t_67_3_24 (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id bigint NOT NULL,
  note text,
  created_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE orders ADD COLUMN c_67_25 text DEFAULT 'x';

CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_67_26 ON orders (customer_id, created_at);

ALTER TABLE orders ADD CONSTRAINT fk_67_27 FOREIGN KEY (account_id) REFERENCES accounts (id) NOT VALID;

ALTER TABLE orders VALIDATE CONSTRAINT fk_67_28;

SET lock_timeout = '2s';

UPDATE orders SET status = 'new' WHERE id BETWEEN 30000 AND 30999;

CREATE INDEX idx_plain_67_31 ON orders (status);

ALTER TABLE orders ALTER COLUMN c_67_25 SET NOT NULL;

COMMENT ON COLUMN orders.status IS 'state of the order: new, paid, shipped';

ALTER TABLE orders ADD COLUMN token_67_34 uuid DEFAULT gen_random_uuid();

INSERT INTO audit_log (kind, payload) VALUES ('migration', '{"file": 67, "step": 35}');

CREATE TABLE IF NOT EXISTS t_67_1_36 (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id bigint NOT NULL,
  note text,
  created_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE orders ADD COLUMN c_67_37 text DEFAULT 'x';

CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_67_38 ON orders (customer_id, created_at);

ALTER TABLE orders ADD CONSTRAINT fk_67_39 FOREIGN KEY (account_id) REFERENCES accounts (id) NOT VALID;

ALTER TABLE orders VALIDATE CONSTRAINT fk_67_40;

SET lock_timeout = '2s';

UPDATE orders SET status = 'new' WHERE id BETWEEN 42000 AND 42999;

CREATE INDEX idx_plain_67_43 ON orders (status);

ALTER TABLE orders ALTER COLUMN c_67_37 SET NOT NULL;

COMMENT ON COLUMN orders.status IS 'state of the order: new, paid, shipped';

ALTER TABLE orders ADD COLUMN token_67_46 uuid DEFAULT gen_random_uuid();

INSERT INTO audit_log (kind, payload) VALUES ('migration', '{"file": 67, "step": 47}');

CREATE TABLE IF NOT EXISTS t_67_6_48 (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id bigint NOT NULL,
  note text,
  created_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE orders ADD COLUMN c_67_49 text DEFAULT 'x';

CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_67_50 ON orders (customer_id, created_at);

ALTER TABLE orders ADD CONSTRAINT fk_67_51 FOREIGN KEY (account_id) REFERENCES accounts (id) NOT VALID;

ALTER TABLE orders VALIDATE CONSTRAINT fk_67_52;

SET lock_timeout = '2s';

UPDATE orders SET status = 'new' WHERE id BETWEEN 54000 AND 54999;

CREATE INDEX idx_plain_67_55 ON orders (status);

ALTER TABLE orders ALTER COLUMN c_67_49 SET NOT NULL;

COMMENT ON COLUMN orders.status IS 'state of the order: new, paid, shipped';

ALTER TABLE orders ADD COLUMN token_67_58 uuid DEFAULT gen_random_uuid();

INSERT INTO audit_log (kind, payload) VALUES ('migration', '{"file": 67, "step": 59}');

CREATE TABLE IF NOT EXISTS t_67_4_60 (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id bigint NOT NULL,
  note text,
  created_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE orders ADD COLUMN c_67_61 text DEFAULT 'x';

CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_67_62 ON orders (customer_id, created_at);

ALTER TABLE orders ADD CONSTRAINT fk_67_63 FOREIGN KEY (account_id) REFERENCES accounts (id) NOT VALID;

ALTER TABLE orders VALIDATE CONSTRAINT fk_67_64;

SET lock_timeout = '2s';

UPDATE orders SET status = 'new' WHERE id BETWEEN 66000 AND 66999;

CREATE INDEX idx_plain_67_67 ON orders (status);

ALTER TABLE orders ALTER COLUMN c_67_61 SET NOT NULL;

COMMENT ON COLUMN orders.status IS 'state of the order: new, paid, shipped';

ALTER TABLE orders ADD COLUMN token_67_70 uuid DEFAULT gen_random_uuid();

INSERT INTO audit_log (kind, payload) VALUES ('migration', '{"file": 67, "step": 71}');

CREATE TABLE IF NOT EXISTS t_67_2_72 (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id bigint NOT NULL,
  note text,
  created_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE orders ADD COLUMN c_67_73 text DEFAULT 'x';

CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_67_74 ON orders (customer_id, created_at);

ALTER TABLE orders ADD CONSTRAINT fk_67_75 FOREIGN KEY (account_id) REFERENCES accounts (id) NOT VALID;

ALTER TABLE orders VALIDATE CONSTRAINT fk_67_76;

SET lock_timeout = '2s';

UPDATE orders SET status = 'new' WHERE id BETWEEN 78000 AND 78999;

CREATE INDEX idx_plain_67_79 ON orders (status);

ALTER TABLE orders ALTER COLUMN c_67_73 SET NOT NULL;

COMMENT ON COLUMN orders.status IS 'state of the order: new, paid, shipped';

ALTER TABLE orders ADD COLUMN token_67_82 uuid DEFAULT gen_random_uuid();

INSERT INTO audit_log (kind, payload) VALUES ('migration', '{"file": 67, "step": 83}');

CREATE TABLE IF NOT EXISTS t_67_0_84 (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id bigint NOT NULL,
  note text,
  created_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE orders ADD COLUMN c_67_85 text DEFAULT 'x';

CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_67_86 ON orders (customer_id, created_at);

ALTER TABLE orders ADD CONSTRAINT fk_67_87 FOREIGN KEY (account_id) REFERENCES accounts (id) NOT VALID;

ALTER TABLE orders VALIDATE CONSTRAINT fk_67_88;

SET lock_timeout = '2s';

UPDATE orders SET status = 'new' WHERE id BETWEEN 90000 AND 90999;

CREATE INDEX idx_plain_67_91 ON orders (status);

ALTER TABLE orders ALTER COLUMN c_67_85 SET NOT NULL;

COMMENT ON COLUMN orders.status IS 'state of the order: new, paid, shipped';

ALTER TABLE orders ADD COLUMN token_67_94 uuid DEFAULT gen_random_uuid();

INSERT INTO audit_log (kind, payload) VALUES ('migration', '{"file": 67, "step": 95}');

CREATE TABLE IF NOT EXISTS t_67_5_96 (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id bigint NOT NULL,
  note text,
  created_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE orders ADD COLUMN c_67_97 text DEFAULT 'x';

CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_67_98 ON orders (customer_id, created_at);

ALTER TABLE orders ADD CONSTRAINT fk_67_99 FOREIGN KEY (account_id) REFERENCES accounts (id) NOT VALID;
