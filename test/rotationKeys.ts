// What the rotation tests of both targets name a dev stack's generated passwords by: their type,
// and the keys (type::name) that diffRegistrations lists.
export const PASSWORD = "random:index/randomPassword:RandomPassword";
export const password = (name: string) => `${PASSWORD}::newapi-dev-${name}`;
