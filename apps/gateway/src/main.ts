import { x } from '@vss/domain';
class A { constructor(public n: number) {} }
console.log(x, new A(2));
