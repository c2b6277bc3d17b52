;; A valid module whose table is larger than the runtime allocates.
(module (table 100000000 funcref))
