import nock from "nock";
import { afterEach, beforeEach } from "vitest";

// Tests never reach the network: only loopback (the app's own test servers) may be dialled.
const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\]|::1)(:\d+)?$/;
nock.disableNetConnect();
nock.enableNetConnect((host) => LOOPBACK.test(host));

// Interceptors never outlive a test, even one whose own afterEach failed.
beforeEach(() => {
  nock.cleanAll();
});
afterEach(() => {
  nock.cleanAll();
});
