// The local (docker) target: the port nginx listens on, and the images of its MySQL, cache and
// nginx (../dataServices.ts, where they are checked against the versions AWS runs).
import { integer } from "../kinds";
import { DATA_SERVICE_SETTINGS } from "../dataServices";

/** The local target's settings, in reading order. */
export const LOCAL_SETTINGS = {
    localPort: integer({ scope: "docker", section: "local", default: 8080, min: 1, max: 65535, doc: "the port on 127.0.0.1 where nginx listens" }),
    mysqlImage: DATA_SERVICE_SETTINGS.mysqlImage,
    cacheImage: DATA_SERVICE_SETTINGS.cacheImage,
    nginxImage: DATA_SERVICE_SETTINGS.nginxImage,
};
