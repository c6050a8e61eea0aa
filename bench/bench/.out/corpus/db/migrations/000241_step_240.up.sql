CREATE TABLE IF NOT EXISTS t_240_0_0 (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id bigint NOT NULL,
  note text,
  created_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE orders ADD COLUMN c_240_1 text DEFAULT 'x';

CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_240_2 ON orders (customer_id, created_at);

ALTER TABLE orders ADD CONSTRAINT fk_240_3 FOREIGN KEY (account_id) REFERENCES accounts (id) NOT VALID;

ALTER TABLE orders VALIDATE CONSTRAINT fk_240_4;

SET lock_timeout = '2s';

UPDATE orders SET status = 'new' WHERE id BETWEEN 6000 AND 6999;

CREATE INDEX idx_plain_240_7 ON orders (status);

ALTER TABLE orders ALTER COLUMN c_240_1 SET NOT NULL;

COMMENT ON COLUMN orders.status IS 'state of the order: new, paid, shipped';

ALTER TABLE orders ADD COLUMN token_240_10 uuid DEFAULT gen_random_uuid();

INSERT INTO audit_log (kind, payload) VALUES ('migration', '{"file": 240, "step": 11}');

CREATE TABLE IF NOT EXISTS t_240_5_12 (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id bigint NOT NULL,
  note text,
  created_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE orders ADD COLUMN c_240_13 text DEFAULT 'x';

CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_240_14 ON orders (customer_id, created_at);

ALTER TABLE orders ADD CONSTRAINT fk_240_15 FOREIGN KEY (account_id) REFERENCES accounts (id) NOT VALID;

ALTER TABLE orders VALIDATE CONSTRAINT fk_240_16;

SET lock_timeout = '2s';

UPDATE orders SET status = 'new' WHERE id BETWEEN 18000 AND 18999;

CREATE INDEX idx_plain_240_19 ON orders (status);

ALTER TABLE orders ALTER COLUMN c_240_13 SET NOT NULL;

COMMENT ON COLUMN orders.status IS 'state of the order: new, paid, shipped';

ALTER TABLE orders ADD COLUMN token_240_22 uuid DEFAULT gen_random_uuid();

INSERT INTO audit_log (kind, payload) VALUES ('migration', '{"file": 240, "step": 23}');

CREATE TABLE IF NOT EXISTS t_240_3_24 (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id bigint NOT NULL,
  note text,
  created_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE orders ADD COLUMN c_240_25 text DEFAULT 'x';

CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_240_26 ON orders (customer_id, created_at);

ALTER TABLE orders ADD CONSTRAINT fk_240_27 FOREIGN KEY (account_id) REFERENCES accounts (id) NOT VALID;

ALTER TABLE orders VALIDATE CONSTRAINT fk_240_28;

SET lock_timeout = '2s';

UPDATE orders SET status = 'new' WHERE id BETWEEN 30000 AND 30999;

CREATE INDEX idx_plain_240_31 ON orders (status);

ALTER TABLE orders ALTER COLUMN c_240_25 SET NOT NULL;

COMMENT ON COLUMN orders.status IS 'state of the order: new, paid, shipped';

ALTER TABLE orders ADD COLUMN token_240_34 uuid DEFAULT gen_random_uuid();

INSERT INTO audit_log (kind, payload) VALUES ('migration', '{"file": 240, "step": 35}');

CREATE TABLE IF NOT EXISTS t_240_1_36 (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id bigint NOT NULL,
  note text,
  created_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE orders ADD COLUMN c_240_37 text DEFAULT 'x';

CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_240_38 ON orders (customer_id, created_at);

ALTER TABLE orders ADD CONSTRAINT fk_240_39 FOREIGN KEY (account_id) REFERENCES accounts (id) NOT VALID;

ALTER TABLE orders VALIDATE CONSTRAINT fk_240_40;

SET lock_timeout = '2s';

UPDATE orders SET status = 'new' WHERE id BETWEEN 42000 AND 42999;

CREATE INDEX idx_plain_240_43 ON orders (status);

ALTER TABLE orders ALTER COLUMN c_240_37 SET NOT NULL;

COMMENT ON COLUMN orders.status IS 'state of the order: new, paid, shipped';

ALTER TABLE orders ADD COLUMN token_240_46 uuid DEFAULT gen_random_uuid();

INSERT INTO audit_log (kind, payload) VALUES ('migration', '{"file": 240, "step": 47}');

CREATE TABLE IF NOT EXISTS t_240_6_48 (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id bigint NOT NULL,
  note text,
  created_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE orders ADD COLUMN c_240_49 text DEFAULT 'x';

CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_240_50 ON orders (customer_id, created_at);

ALTER TABLE orders ADD CONSTRAINT fk_240_51 FOREIGN KEY (account_id) REFERENCES accounts (id) NOT VALID;

ALTER TABLE orders VALIDATE CONSTRAINT fk_240_52;

SET lock_timeout = '2s';

UPDATE orders SET status = 'new' WHERE id BETWEEN 54000 AND 54999;

CREATE INDEX idx_plain_240_55 ON orders (status);

ALTER TABLE orders ALTER COLUMN c_240_49 SET NOT NULL;

COMMENT ON COLUMN orders.status IS 'state of the order: new, paid, shipped';

ALTER TABLE orders ADD COLUMN token_240_58 uuid DEFAULT gen_random_uuid();

INSERT INTO audit_log (kind, payload) VALUES ('migration', '{"file": 240, "step": 59}');

CREATE TABLE IF NOT EXISTS t_240_4_60 (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id bigint NOT NULL,
  note text,
  created_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE orders ADD COLUMN c_240_61 text DEFAULT 'x';

CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_240_62 ON orders (customer_id, created_at);

ALTER TABLE orders ADD CONSTRAINT fk_240_63 FOREIGN KEY (account_id) REFERENCES accounts (id) NOT VALID;

ALTER TABLE orders VALIDATE CONSTRAINT fk_240_64;

SET lock_timeout = '2s';

UPDATE orders SET status = 'new' WHERE id BETWEEN 66000 AND 66999;

CREATE INDEX idx_plain_240_67 ON orders (status);

ALTER TABLE orders ALTER COLUMN c_240_61 SET NOT NULL;

COMMENT ON COLUMN orders.status IS 'state of the order: new, paid, shipped';

ALTER TABLE orders ADD COLUMN token_240_70 uuid DEFAULT gen_random_uuid();

INSERT INTO audit_log (kind, payload) VALUES ('migration', '{"file": 240, "step": 71}');

CREATE TABLE IF NOT EXISTS t_240_2_72 (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id bigint NOT NULL,
  note text,
  created_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE orders ADD COLUMN c_240_73 text DEFAULT 'x';

CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_240_74 ON orders (customer_id, created_at);

ALTER TABLE orders ADD CONSTRAINT fk_240_75 FOREIGN KEY (account_id) REFERENCES accounts (id) NOT VALID;

ALTER TABLE orders VALIDATE CONSTRAINT fk_240_76;

SET lock_timeout = '2s';

UPDATE orders SET status = 'new' WHERE id BETWEEN 78000 AND 78999;

CREATE INDEX idx_plain_240_79 ON orders (status);

ALTER TABLE orders ALTER COLUMN c_240_73 SET NOT NULL;

COMMENT ON COLUMN orders.status IS 'state of the order: new, paid, shipped';

ALTER TABLE orders ADD COLUMN token_240_82 uuid DEFAULT gen_random_uuid();

INSERT INTO audit_log (kind, payload) VALUES ('migration', '{"file": 240, "step": 83}');

CREATE TABLE IF NOT EXISTS t_240_0_84 (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id bigint NOT NULL,
  note text,
  created_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE orders ADD COLUMN c_240_85 text DEFAULT 'x';

CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_240_86 ON orders (customer_id, created_at);

ALTER TABLE orders ADD CONSTRAINT fk_240_87 FOREIGN KEY (account_id) REFERENCES accounts (id) NOT VALID;

ALTER TABLE orders VALIDATE CONSTRAINT fk_240_88;

SET lock_timeout = '2s';

UPDATE orders SET status = 'new' WHERE id BETWEEN 90000 AND 90999;

CREATE INDEX idx_plain_240_91 ON orders (status);

ALTER TABLE orders ALTER COLUMN c_240_85 SET NOT NULL;

COMMENT ON COLUMN orders.status IS 'state of the order: new, paid, shipped';

ALTER TABLE orders ADD COLUMN token_240_94 uuid DEFAULT gen_random_uuid();

INSERT INTO audit_log (kind, payload) VALUES ('migration', '{"file": 240, "step": 95}');

CREATE TABLE IF NOT EXISTS t_240_5_96 (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id bigint NOT NULL,
  note text,
  created_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE orders ADD COLUMN c_240_97 text DEFAULT 'x';

CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_240_98 ON orders (customer_id, created_at);

ALTER TABLE orders ADD CONSTRAINT fk_240_99 FOREIGN KEY (account_id) REFERENCES accounts (id) NOT VALID;
