CREATE TABLE IF NOT EXISTS t_200_0_0 (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id bigint NOT NULL,
  note text,
  created_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE orders ADD COLUMN c_200_1 text DEFAULT 'x';

CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_200_2 ON orders (customer_id, created_at);

ALTER TABLE orders ADD CONSTRAINT fk_200_3 FOREIGN KEY (account_id) REFERENCES accounts (id) NOT VALID;

ALTER TABLE orders VALIDATE CONSTRAINT fk_200_4;

SET lock_timeout = '2s';

UPDATE orders SET status = 'new' WHERE id BETWEEN 6000 AND 6999;

CREATE INDEX idx_plain_200_7 ON orders (status);

ALTER TABLE orders ALTER COLUMN c_200_1 SET NOT NULL;

COMMENT ON COLUMN orders.status IS 'state of the order: new, paid, shipped';

ALTER TABLE orders ADD COLUMN token_200_10 uuid DEFAULT gen_random_uuid();

INSERT INTO audit_log (kind, payload) VALUES ('migration', '{"file": 200, "step": 11}');

CREATE TABLE IF NOT EXISTS t_200_5_12 (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id bigint NOT NULL,
  note text,
  created_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE orders ADD COLUMN c_200_13 text DEFAULT 'x';

CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_200_14 ON orders (customer_id, created_at);

ALTER TABLE orders ADD CONSTRAINT fk_200_15 FOREIGN KEY (account_id) REFERENCES accounts (id) NOT VALID;

ALTER TABLE orders VALIDATE CONSTRAINT fk_200_16;

SET lock_timeout = '2s';

UPDATE orders SET status = 'new' WHERE id BETWEEN 18000 AND 18999;

CREATE INDEX idx_plain_200_19 ON orders (status);

ALTER TABLE orders ALTER COLUMN c_200_13 SET NOT NULL;

COMMENT ON COLUMN orders.status IS 'state of the order: new, paid, shipped';

ALTER TABLE orders ADD COLUMN token_200_22 uuid DEFAULT gen_random_uuid();

INSERT INTO audit_log (kind, payload) VALUES ('migration', '{"file": 200, "step": 23}');

CREATE TABLE IF NOT EXISTS t_200_3_24 (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id bigint NOT NULL,
  note text,
  created_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE orders ADD COLUMN c_200_25 text DEFAULT 'x';

CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_200_26 ON orders (customer_id, created_at);

ALTER TABLE orders ADD CONSTRAINT fk_200_27 FOREIGN KEY (account_id) REFERENCES accounts (id) NOT VALID;

ALTER TABLE orders VALIDATE CONSTRAINT fk_200_28;

SET lock_timeout = '2s';

UPDATE orders SET status = 'new' WHERE id BETWEEN 30000 AND 30999;

CREATE INDEX idx_plain_200_31 ON orders (status);

ALTER TABLE orders ALTER COLUMN c_200_25 SET NOT NULL;

COMMENT ON COLUMN orders.status IS 'state of the order: new, paid, shipped';

ALTER TABLE orders ADD COLUMN token_200_34 uuid DEFAULT gen_random_uuid();

INSERT INTO audit_log (kind, payload) VALUES ('migration', '{"file": 200, "step": 35}');

CREATE TABLE IF NOT EXISTS t_200_1_36 (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id bigint NOT NULL,
  note text,
  created_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE orders ADD COLUMN c_200_37 text DEFAULT 'x';

CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_200_38 ON orders (customer_id, created_at);

ALTER TABLE orders ADD CONSTRAINT fk_200_39 FOREIGN KEY (account_id) REFERENCES accounts (id) NOT VALID;

ALTER TABLE orders VALIDATE CONSTRAINT fk_200_40;

SET lock_timeout = '2s';

UPDATE orders SET status = 'new' WHERE id BETWEEN 42000 AND 42999;

CREATE INDEX idx_plain_200_43 ON orders (status);

ALTER TABLE orders ALTER COLUMN c_200_37 SET NOT NULL;

COMMENT ON COLUMN orders.status IS 'state of the order: new, paid, shipped';

ALTER TABLE orders ADD COLUMN token_200_46 uuid DEFAULT gen_random_uuid();

INSERT INTO audit_log (kind, payload) VALUES ('migration', '{"file": 200, "step": 47}');

CREATE TABLE IF NOT EXISTS t_200_6_48 (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id bigint NOT NULL,
  note text,
  created_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE orders ADD COLUMN c_200_49 text DEFAULT 'x';

CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_200_50 ON orders (customer_id, created_at);

ALTER TABLE orders ADD CONSTRAINT fk_200_51 FOREIGN KEY (account_id) REFERENCES accounts (id) NOT VALID;

ALTER TABLE orders VALIDATE CONSTRAINT fk_200_52;

SET lock_timeout = '2s';

UPDATE orders SET status = 'new' WHERE id BETWEEN 54000 AND 54999;

CREATE INDEX idx_plain_200_55 ON orders (status);

ALTER TABLE orders ALTER COLUMN c_200_49 SET NOT NULL;

COMMENT ON COLUMN orders.status IS 'state of the order: new, paid, shipped';

ALTER TABLE orders ADD COLUMN token_200_58 uuid DEFAULT gen_random_uuid();

INSERT INTO audit_log (kind, payload) VALUES ('migration', '{"file": 200, "step": 59}');

CREATE TABLE IF NOT EXISTS t_200_4_60 (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id bigint NOT NULL,
  note text,
  created_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE orders ADD COLUMN c_200_61 text DEFAULT 'x';

CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_200_62 ON orders (customer_id, created_at);

ALTER TABLE orders ADD CONSTRAINT fk_200_63 FOREIGN KEY (account_id) REFERENCES accounts (id) NOT VALID;

ALTER TABLE orders VALIDATE CONSTRAINT fk_200_64;

SET lock_timeout = '2s';

UPDATE orders SET status = 'new' WHERE id BETWEEN 66000 AND 66999;

CREATE INDEX idx_plain_200_67 ON orders (status);

ALTER TABLE orders ALTER COLUMN c_200_61 SET NOT NULL;

COMMENT ON COLUMN orders.status IS 'state of the order: new, paid, shipped';

ALTER TABLE orders ADD COLUMN token_200_70 uuid DEFAULT gen_random_uuid();

INSERT INTO audit_log (kind, payload) VALUES ('migration', '{"file": 200, "step": 71}');

CREATE TABLE IF NOT EXISTS t_200_2_72 (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id bigint NOT NULL,
  note text,
  created_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE orders ADD COLUMN c_200_73 text DEFAULT 'x';

CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_200_74 ON orders (customer_id, created_at);

ALTER TABLE orders ADD CONSTRAINT fk_200_75 FOREIGN KEY (account_id) REFERENCES accounts (id) NOT VALID;

ALTER TABLE orders VALIDATE CONSTRAINT fk_200_76;

SET lock_timeout = '2s';

UPDATE orders SET status = 'new' WHERE id BETWEEN 78000 AND 78999;

CREATE INDEX idx_plain_200_79 ON orders (status);

ALTER TABLE orders ALTER COLUMN c_200_73 SET NOT NULL;

COMMENT ON COLUMN orders.status IS 'state of the order: new, paid, shipped';

ALTER TABLE orders ADD COLUMN token_200_82 uuid DEFAULT gen_random_uuid();

INSERT INTO audit_log (kind, payload) VALUES ('migration', '{"file": 200, "step": 83}');

CREATE TABLE IF NOT EXISTS t_200_0_84 (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id bigint NOT NULL,
  note text,
  created_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE orders ADD COLUMN c_200_85 text DEFAULT 'x';

CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_200_86 ON orders (customer_id, created_at);

ALTER TABLE orders ADD CONSTRAINT fk_200_87 FOREIGN KEY (account_id) REFERENCES accounts (id) NOT VALID;

ALTER TABLE orders VALIDATE CONSTRAINT fk_200_88;

SET lock_timeout = '2s';

UPDATE orders SET status = 'new' WHERE id BETWEEN 90000 AND 90999;

CREATE INDEX idx_plain_200_91 ON orders (status);

ALTER TABLE orders ALTER COLUMN c_200_85 SET NOT NULL;

COMMENT ON COLUMN orders.status IS 'state of the order: new, paid, shipped';

ALTER TABLE orders ADD COLUMN token_200_94 uuid DEFAULT gen_random_uuid();

INSERT INTO audit_log (kind, payload) VALUES ('migration', '{"file": 200, "step": 95}');

CREATE TABLE IF NOT EXISTS t_200_5_96 (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id bigint NOT NULL,
  note text,
  created_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE orders ADD COLUMN c_200_97 text DEFAULT 'x';

CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_200_98 ON orders (customer_id, created_at);

ALTER TABLE orders ADD CONSTRAINT fk_200_99 FOREIGN KEY (account_id) REFERENCES accounts (id) NOT VALID;
