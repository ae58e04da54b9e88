package dmp

// SignAs is signAs for the tests in package dmp_test, which cannot call
// an unexported helper of package dmp's tests.
var SignAs = signAs
