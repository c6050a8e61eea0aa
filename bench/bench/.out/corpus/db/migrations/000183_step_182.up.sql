CREATE TABLE IF NOT EXISTS t_182_0_0 (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id bigint NOT NULL,
  note text,
  created_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE orders ADD COLUMN c_182_1 text DEFAULT 'x';

CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_182_2 ON orders (customer_id, created_at);

ALTER TABLE orders ADD CONSTRAINT fk_182_3 FOREIGN KEY (account_id) REFERENCES accounts (id) NOT VALID;

ALTER TABLE orders VALIDATE CONSTRAINT fk_182_4;

SET lock_timeout = '2s';

UPDATE orders SET status = 'new' WHERE id BETWEEN 6000 AND 6999;

CREATE INDEX idx_plain_182_7 ON orders (status);

ALTER TABLE orders ALTER COLUMN c_182_1 SET NOT NULL;

COMMENT ON COLUMN orders.status IS 'state of the order: new, paid, shipped';

ALTER TABLE orders ADD COLUMN token_182_10 uuid DEFAULT gen_random_uuid();

INSERT INTO audit_log (kind, payload) VALUES ('migration', '{"file": 182, "step": 11}');

CREATE TABLE IF NOT EXISTS t_182_5_12 (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id bigint NOT NULL,
  note text,
  created_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE orders ADD COLUMN c_182_13 text DEFAULT 'x';

CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_182_14 ON orders (customer_id, created_at);

ALTER TABLE orders ADD CONSTRAINT fk_182_15 FOREIGN KEY (account_id) REFERENCES accounts (id) NOT VALID;

ALTER TABLE orders VALIDATE CONSTRAINT fk_182_16;

SET lock_timeout = '2s';

UPDATE orders SET status = 'new' WHERE id BETWEEN 18000 AND 18999;

CREATE INDEX idx_plain_182_19 ON orders (status);

ALTER TABLE orders ALTER COLUMN c_182_13 SET NOT NULL;

COMMENT ON COLUMN orders.status IS 'state of the order: new, paid, shipped';

ALTER TABLE orders ADD COLUMN token_182_22 uuid DEFAULT gen_random_uuid();

INSERT INTO audit_log (kind, payload) VALUES ('migration', '{"file": 182, "step": 23}');

CREATE TABLE IF NOT EXISTS t_182_3_24 (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id bigint NOT NULL,
  note text,
  created_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE orders ADD COLUMN c_182_25 text DEFAULT 'x';

CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_182_26 ON orders (customer_id, created_at);

ALTER TABLE orders ADD CONSTRAINT fk_182_27 FOREIGN KEY (account_id) REFERENCES accounts (id) NOT VALID;

ALTER TABLE orders VALIDATE CONSTRAINT fk_182_28;

SET lock_timeout = '2s';

UPDATE orders SET status = 'new' WHERE id BETWEEN 30000 AND 30999;

CREATE INDEX idx_plain_182_31 ON orders (status);

ALTER TABLE orders ALTER COLUMN c_182_25 SET NOT NULL;

COMMENT ON COLUMN orders.status IS 'state of the order: new, paid, shipped';

ALTER TABLE orders ADD COLUMN token_182_34 uuid DEFAULT gen_random_uuid();

INSERT INTO audit_log (kind, payload) VALUES ('migration', '{"file": 182, "step": 35}');

CREATE TABLE IF NOT EXISTS t_182_1_36 (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id bigint NOT NULL,
  note text,
  created_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE orders ADD COLUMN c_182_37 text DEFAULT 'x';

CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_182_38 ON orders (customer_id, created_at);

ALTER TABLE orders ADD CONSTRAINT fk_182_39 FOREIGN KEY (account_id) REFERENCES accounts (id) NOT VALID;

ALTER TABLE orders VALIDATE CONSTRAINT fk_182_40;

SET lock_timeout = '2s';

UPDATE orders SET status = 'new' WHERE id BETWEEN 42000 AND 42999;

CREATE INDEX idx_plain_182_43 ON orders (status);

ALTER TABLE orders ALTER COLUMN c_182_37 SET NOT NULL;

COMMENT ON COLUMN orders.status IS 'state of the order: new, paid, shipped';

ALTER TABLE orders ADD COLUMN token_182_46 uuid DEFAULT gen_random_uuid();

INSERT INTO audit_log (kind, payload) VALUES ('migration', '{"file": 182, "step": 47}');

CREATE TABLE IF NOT EXISTS t_182_6_48 (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id bigint NOT NULL,
  note text,
  created_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE orders ADD COLUMN c_182_49 text DEFAULT 'x';

CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_182_50 ON orders (customer_id, created_at);

ALTER TABLE orders ADD CONSTRAINT fk_182_51 FOREIGN KEY (account_id) REFERENCES accounts (id) NOT VALID;

ALTER TABLE orders VALIDATE CONSTRAINT fk_182_52;

SET lock_timeout = '2s';

UPDATE orders SET status = 'new' WHERE id BETWEEN 54000 AND 54999;

CREATE INDEX idx_plain_182_55 ON orders (status);

ALTER TABLE orders ALTER COLUMN c_182_49 SET NOT NULL;

COMMENT ON COLUMN orders.status IS 'state of the order: new, paid, shipped';

ALTER TABLE orders ADD COLUMN token_182_58 uuid DEFAULT gen_random_uuid();

INSERT INTO audit_log (kind, payload) VALUES ('migration', '{"file": 182, "step": 59}');

CREATE TABLE IF NOT EXISTS t_182_4_60 (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id bigint NOT NULL,
  note text,
  created_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE orders ADD COLUMN c_182_61 text DEFAULT 'x';

CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_182_62 ON orders (customer_id, created_at);

ALTER TABLE orders ADD CONSTRAINT fk_182_63 FOREIGN KEY (account_id) REFERENCES accounts (id) NOT VALID;

ALTER TABLE orders VALIDATE CONSTRAINT fk_182_64;

SET lock_timeout = '2s';

UPDATE orders SET status = 'new' WHERE id BETWEEN 66000 AND 66999;

CREATE INDEX idx_plain_182_67 ON orders (status);

ALTER TABLE orders ALTER COLUMN c_182_61 SET NOT NULL;

COMMENT ON COLUMN orders.status IS 'state of the order: new, paid, shipped';

ALTER TABLE orders ADD COLUMN token_182_70 uuid DEFAULT gen_random_uuid();

INSERT INTO audit_log (kind, payload) VALUES ('migration', '{"file": 182, "step": 71}');

CREATE TABLE IF NOT EXISTS t_182_2_72 (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id bigint NOT NULL,
  note text,
  created_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE orders ADD COLUMN c_182_73 text DEFAULT 'x';

CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_182_74 ON orders (customer_id, created_at);

ALTER TABLE orders ADD CONSTRAINT fk_182_75 FOREIGN KEY (account_id) REFERENCES accounts (id) NOT VALID;

ALTER TABLE orders VALIDATE CONSTRAINT fk_182_76;

SET lock_timeout = '2s';

UPDATE orders SET status = 'new' WHERE id BETWEEN 78000 AND 78999;

CREATE INDEX idx_plain_182_79 ON orders (status);

ALTER TABLE orders ALTER COLUMN c_182_73 SET NOT NULL;

COMMENT ON COLUMN orders.status IS 'state of the order: new, paid, shipped';

ALTER TABLE orders ADD COLUMN token_182_82 uuid DEFAULT gen_random_uuid();

INSERT INTO audit_log (kind, payload) VALUES ('migration', '{"file": 182, "step": 83}');

CREATE TABLE IF NOT EXISTS t_182_0_84 (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id bigint NOT NULL,
  note text,
  created_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE orders ADD COLUMN c_182_85 text DEFAULT 'x';

CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_182_86 ON orders (customer_id, created_at);

ALTER TABLE orders ADD CONSTRAINT fk_182_87 FOREIGN KEY (account_id) REFERENCES accounts (id) NOT VALID;

ALTER TABLE orders VALIDATE CONSTRAINT fk_182_88;

SET lock_timeout = '2s';

UPDATE orders SET status = 'new' WHERE id BETWEEN 90000 AND 90999;

CREATE INDEX idx_plain_182_91 ON orders (status);

ALTER TABLE orders ALTER COLUMN c_182_85 SET NOT NULL;

COMMENT ON COLUMN orders.status IS 'state of the order: new, paid, shipped';

ALTER TABLE orders ADD COLUMN token_182_94 uuid DEFAULT gen_random_uuid();

INSERT INTO audit_log (kind, payload) VALUES ('migration', '{"file": 182, "step": 95}');

CREATE TABLE IF NOT EXISTS t_182_5_96 (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id bigint NOT NULL,
  note text,
  created_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE orders ADD COLUMN c_182_97 text DEFAULT 'x';

CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_182_98 ON orders (customer_id, created_at);

ALTER TABLE orders ADD CONSTRAINT fk_182_99 FOREIGN KEY (account_id) REFERENCES accounts (id) NOT VALID;
