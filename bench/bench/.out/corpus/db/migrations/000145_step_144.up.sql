CREATE TABLE IF NOT EXISTS t_144_0_0 (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id bigint NOT NULL,
  note text,
  created_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE orders ADD COLUMN c_144_1 text DEFAULT 'x';

CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_144_2 ON orders (customer_id, created_at);

ALTER TABLE orders ADD CONSTRAINT fk_144_3 FOREIGN KEY (account_id) REFERENCES accounts (id) NOT VALID;

ALTER TABLE orders VALIDATE CONSTRAINT fk_144_4;

SET lock_timeout = '2s';

UPDATE orders SET status = 'new' WHERE id BETWEEN 6000 AND 6999;

CREATE INDEX idx_plain_144_7 ON orders (status);

ALTER TABLE orders ALTER COLUMN c_144_1 SET NOT NULL;

COMMENT ON COLUMN orders.status IS 'state of the order: new, paid, shipped';

ALTER TABLE orders ADD COLUMN token_144_10 uuid DEFAULT gen_random_uuid();

INSERT INTO audit_log (kind, payload) VALUES ('migration', '{"file": 144, "step": 11}');

CREATE TABLE IF NOT EXISTS t_144_5_12 (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id bigint NOT NULL,
  note text,
  created_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE orders ADD COLUMN c_144_13 text DEFAULT 'x';

CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_144_14 ON orders (customer_id, created_at);

ALTER TABLE orders ADD CONSTRAINT fk_144_15 FOREIGN KEY (account_id) REFERENCES accounts (id) NOT VALID;

ALTER TABLE orders VALIDATE CONSTRAINT fk_144_16;

SET lock_timeout = '2s';

UPDATE orders SET status = 'new' WHERE id BETWEEN 18000 AND 18999;

CREATE INDEX idx_plain_144_19 ON orders (status);

ALTER TABLE orders ALTER COLUMN c_144_13 SET NOT NULL;

COMMENT ON COLUMN orders.status IS 'state of the order: new, paid, shipped';

ALTER TABLE orders ADD COLUMN token_144_22 uuid DEFAULT gen_random_uuid();

INSERT INTO audit_log (kind, payload) VALUES ('migration', '{"file": 144, "step": 23}');

CREATE TABLE IF NOT EXISTS t_144_3_24 (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id bigint NOT NULL,
  note text,
  created_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE orders ADD COLUMN c_144_25 text DEFAULT 'x';

CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_144_26 ON orders (customer_id, created_at);

ALTER TABLE orders ADD CONSTRAINT fk_144_27 FOREIGN KEY (account_id) REFERENCES accounts (id) NOT VALID;

ALTER TABLE orders VALIDATE CONSTRAINT fk_144_28;

SET lock_timeout = '2s';

UPDATE orders SET status = 'new' WHERE id BETWEEN 30000 AND 30999;

CREATE INDEX idx_plain_144_31 ON orders (status);

ALTER TABLE orders ALTER COLUMN c_144_25 SET NOT NULL;

COMMENT ON COLUMN orders.status IS 'state of the order: new, paid, shipped';

ALTER TABLE orders ADD COLUMN token_144_34 uuid DEFAULT gen_random_uuid();

INSERT INTO audit_log (kind, payload) VALUES ('migration', '{"file": 144, "step": 35}');

CREATE TABLE IF NOT EXISTS t_144_1_36 (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id bigint NOT NULL,
  note text,
  created_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE orders ADD COLUMN c_144_37 text DEFAULT 'x';

CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_144_38 ON orders (customer_id, created_at);

ALTER TABLE orders ADD CONSTRAINT fk_144_39 FOREIGN KEY (account_id) REFERENCES accounts (id) NOT VALID;

ALTER TABLE orders VALIDATE CONSTRAINT fk_144_40;

SET lock_timeout = '2s';

UPDATE orders SET status = 'new' WHERE id BETWEEN 42000 AND 42999;

CREATE INDEX idx_plain_144_43 ON orders (status);

ALTER TABLE orders ALTER COLUMN c_144_37 SET NOT NULL;

COMMENT ON COLUMN orders.status IS 'state of the order: new, paid, shipped';

ALTER TABLE orders ADD COLUMN token_144_46 uuid DEFAULT gen_random_uuid();

INSERT INTO audit_log (kind, payload) VALUES ('migration', '{"file": 144, "step": 47}');

CREATE TABLE IF NOT EXISTS t_144_6_48 (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id bigint NOT NULL,
  note text,
  created_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE orders ADD COLUMN c_144_49 text DEFAULT 'x';

CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_144_50 ON orders (customer_id, created_at);

ALTER TABLE orders ADD CONSTRAINT fk_144_51 FOREIGN KEY (account_id) REFERENCES accounts (id) NOT VALID;

ALTER TABLE orders VALIDATE CONSTRAINT fk_144_52;

SET lock_timeout = '2s';

UPDATE orders SET status = 'new' WHERE id BETWEEN 54000 AND 54999;

CREATE INDEX idx_plain_144_55 ON orders (status);

ALTER TABLE orders ALTER COLUMN c_144_49 SET NOT NULL;

COMMENT ON COLUMN orders.status IS 'state of the order: new, paid, shipped';

ALTER TABLE orders ADD COLUMN token_144_58 uuid DEFAULT gen_random_uuid();

INSERT INTO audit_log (kind, payload) VALUES ('migration', '{"file": 144, "step": 59}');

CREATE TABLE IF NOT EXISTS t_144_4_60 (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id bigint NOT NULL,
  note text,
  created_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE orders ADD COLUMN c_144_61 text DEFAULT 'x';

CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_144_62 ON orders (customer_id, created_at);

ALTER TABLE orders ADD CONSTRAINT fk_144_63 FOREIGN KEY (account_id) REFERENCES accounts (id) NOT VALID;

ALTER TABLE orders VALIDATE CONSTRAINT fk_144_64;

SET lock_timeout = '2s';

UPDATE orders SET status = 'new' WHERE id BETWEEN 66000 AND 66999;

CREATE INDEX idx_plain_144_67 ON orders (status);

ALTER TABLE orders ALTER COLUMN c_144_61 SET NOT NULL;

COMMENT ON COLUMN orders.status IS 'state of the order: new, paid, shipped';

ALTER TABLE orders ADD COLUMN token_144_70 uuid DEFAULT gen_random_uuid();

INSERT INTO audit_log (kind, payload) VALUES ('migration', '{"file": 144, "step": 71}');

CREATE TABLE IF NOT EXISTS t_144_2_72 (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id bigint NOT NULL,
  note text,
  created_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE orders ADD COLUMN c_144_73 text DEFAULT 'x';

CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_144_74 ON orders (customer_id, created_at);

ALTER TABLE orders ADD CONSTRAINT fk_144_75 FOREIGN KEY (account_id) REFERENCES accounts (id) NOT VALID;

ALTER TABLE orders VALIDATE CONSTRAINT fk_144_76;

SET lock_timeout = '2s';

UPDATE orders SET status = 'new' WHERE id BETWEEN 78000 AND 78999;

CREATE INDEX idx_plain_144_79 ON orders (status);

ALTER TABLE orders ALTER COLUMN c_144_73 SET NOT NULL;

COMMENT ON COLUMN orders.status IS 'state of the order: new, paid, shipped';

ALTER TABLE orders ADD COLUMN token_144_82 uuid DEFAULT gen_random_uuid();

INSERT INTO audit_log (kind, payload) VALUES ('migration', '{"file": 144, "step": 83}');

CREATE TABLE IF NOT EXISTS t_144_0_84 (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id bigint NOT NULL,
  note text,
  created_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE orders ADD COLUMN c_144_85 text DEFAULT 'x';

CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_144_86 ON orders (customer_id, created_at);

ALTER TABLE orders ADD CONSTRAINT fk_144_87 FOREIGN KEY (account_id) REFERENCES accounts (id) NOT VALID;

ALTER TABLE orders VALIDATE CONSTRAINT fk_144_88;

SET lock_timeout = '2s';

UPDATE orders SET status = 'new' WHERE id BETWEEN 90000 AND 90999;

CREATE INDEX idx_plain_144_91 ON orders (status);

ALTER TABLE orders ALTER COLUMN c_144_85 SET NOT NULL;

COMMENT ON COLUMN orders.status IS 'state of the order: new, paid, shipped';

ALTER TABLE orders ADD COLUMN token_144_94 uuid DEFAULT gen_random_uuid();

INSERT INTO audit_log (kind, payload) VALUES ('migration', '{"file": 144, "step": 95}');

CREATE TABLE IF NOT EXISTS t_144_5_96 (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id bigint NOT NULL,
  note text,
  created_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE orders ADD COLUMN c_144_97 text DEFAULT 'x';

CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_144_98 ON orders (customer_id, created_at);

ALTER TABLE orders ADD CONSTRAINT fk_144_99 FOREIGN KEY (account_id) REFERENCES accounts (id) NOT VALID;
