package textnorm

// Version identifies the normalisation rules. Change it whenever a rule
// changes, since stored shares depend on it.
const Version = "1"
