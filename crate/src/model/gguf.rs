//! GGUF reader: bytes in, metadata map + tensor table out; tensor data stays in the caller's bytes.
//!
//! Supports format versions 2 and 3, metadata of every type (nested arrays included), tensor infos and
//! the `general.alignment` rule. Works on a `&[u8]` so the same code reads a mmap natively and a
//! fetched buffer on wasm. Every count and length read from the file is checked against the bytes
//! left before anything is allocated, so a corrupt or truncated file is an error, never a panic or a
//! huge allocation.

use std::collections::HashMap;

use super::ModelError;
use crate::cpu::quant::GgmlType;

/// A metadata value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    U8(u8),
    I8(i8),
    U16(u16),
    I16(i16),
    U32(u32),
    I32(i32),
    U64(u64),
    I64(i64),
    F32(f32),
    F64(f64),
    Bool(bool),
    Str(String),
    Array(Array),
}

/// A metadata array, kept as compactly as the file holds it: a vector of `Value`s would take 32
/// bytes for each one-byte item, so a damaged or hostile file could turn its size into 32 times
/// that in memory.
#[derive(Clone, Debug, PartialEq)]
pub enum Array {
    U8(Vec<u8>),
    I8(Vec<i8>),
    U16(Vec<u16>),
    I16(Vec<i16>),
    U32(Vec<u32>),
    I32(Vec<i32>),
    U64(Vec<u64>),
    I64(Vec<i64>),
    F32(Vec<f32>),
    F64(Vec<f64>),
    Bool(Vec<bool>),
    Str(Vec<String>),
    Array(Vec<Array>),
}

impl Array {
    pub fn len(&self) -> usize {
        match self {
            Array::U8(v) => v.len(),
            Array::I8(v) => v.len(),
            Array::U16(v) => v.len(),
            Array::I16(v) => v.len(),
            Array::U32(v) => v.len(),
            Array::I32(v) => v.len(),
            Array::U64(v) => v.len(),
            Array::I64(v) => v.len(),
            Array::F32(v) => v.len(),
            Array::F64(v) => v.len(),
            Array::Bool(v) => v.len(),
            Array::Str(v) => v.len(),
            Array::Array(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn as_strs(&self) -> Option<&[String]> {
        match self {
            Array::Str(v) => Some(v),
            _ => None,
        }
    }

    /// Integer items as u64 (negative ones as None); None for arrays of other types.
    pub fn to_u64s(&self) -> Option<Vec<Option<u64>>> {
        fn all<T: Copy>(v: &[T], f: impl Fn(T) -> Option<u64>) -> Option<Vec<Option<u64>>> {
            Some(v.iter().map(|&x| f(x)).collect())
        }
        match self {
            Array::U8(v) => all(v, |x| Some(u64::from(x))),
            Array::U16(v) => all(v, |x| Some(u64::from(x))),
            Array::U32(v) => all(v, |x| Some(u64::from(x))),
            Array::U64(v) => all(v, Some),
            Array::I8(v) => all(v, |x| u64::try_from(x).ok()),
            Array::I16(v) => all(v, |x| u64::try_from(x).ok()),
            Array::I32(v) => all(v, |x| u64::try_from(x).ok()),
            Array::I64(v) => all(v, |x| u64::try_from(x).ok()),
            _ => None,
        }
    }
}

impl Value {
    /// Any integer type as u64 (negative values are None).
    pub fn as_u64(&self) -> Option<u64> {
        match *self {
            Value::U8(v) => Some(v as u64),
            Value::U16(v) => Some(v as u64),
            Value::U32(v) => Some(v as u64),
            Value::U64(v) => Some(v),
            Value::I8(v) => u64::try_from(v).ok(),
            Value::I16(v) => u64::try_from(v).ok(),
            Value::I32(v) => u64::try_from(v).ok(),
            Value::I64(v) => u64::try_from(v).ok(),
            _ => None,
        }
    }

    pub fn as_f32(&self) -> Option<f32> {
        match *self {
            Value::F32(v) => Some(v),
            Value::F64(v) => Some(v as f32),
            _ => self.as_u64().map(|v| v as f32),
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&Array> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match *self {
            Value::Bool(b) => Some(b),
            _ => None,
        }
    }
}

/// One tensor's entry: name, shape (ggml order: dims[0] is the contiguous row length), type,
/// and its byte range within the file.
#[derive(Clone, Debug)]
pub struct TensorInfo {
    pub name: String,
    pub dims: Vec<usize>,
    pub ty: GgmlType,
    /// Absolute byte offset of the data in the file.
    pub offset: usize,
    pub size: usize,
}

impl TensorInfo {
    pub fn n_elements(&self) -> usize {
        self.dims.iter().product()
    }
}

/// The parsed header of a GGUF file.
#[derive(Debug)]
pub struct Gguf {
    pub version: u32,
    pub metadata: HashMap<String, Value>,
    pub tensors: Vec<TensorInfo>,
    /// Absolute offset where tensor data starts.
    pub data_offset: usize,
}

fn corrupt(what: impl std::fmt::Display) -> ModelError {
    ModelError::Gguf(format!(
        "{what}; the file is truncated or is not a GGUF model, download it again (scripts/fetch-model.sh)"
    ))
}

struct Reader<'a> {
    b: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], ModelError> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.b.len());
        let Some(end) = end else {
            return Err(corrupt(format!("unexpected end of file reading {what} at byte {}", self.pos)));
        };
        let s = &self.b[self.pos..end];
        self.pos = end;
        Ok(s)
    }
    fn remaining(&self) -> usize {
        self.b.len() - self.pos
    }
    fn arr<const N: usize>(&mut self, what: &str) -> Result<[u8; N], ModelError> {
        let s = self.take(N, what)?;
        let mut a = [0u8; N];
        a.copy_from_slice(s);
        Ok(a)
    }
    fn u32(&mut self, what: &str) -> Result<u32, ModelError> {
        Ok(u32::from_le_bytes(self.arr(what)?))
    }
    fn u64(&mut self, what: &str) -> Result<u64, ModelError> {
        Ok(u64::from_le_bytes(self.arr(what)?))
    }
    /// A count that must fit in the bytes left, each item taking at least `min_item` bytes.
    fn count(&mut self, what: &str, min_item: usize) -> Result<usize, ModelError> {
        let n = self.u64(what)?;
        let max = (self.remaining() / min_item.max(1)) as u64;
        if n > max {
            return Err(corrupt(format!("{what} is {n}, more than the file can hold")));
        }
        Ok(n as usize)
    }
    fn string(&mut self, what: &str) -> Result<String, ModelError> {
        let n = self.count(what, 1)?;
        let s = self.take(n, what)?;
        String::from_utf8(s.to_vec()).map_err(|_| corrupt(format!("{what} is not valid UTF-8")))
    }
    fn value(&mut self, ty: u32, key: &str, depth: usize) -> Result<Value, ModelError> {
        Ok(match ty {
            0 => Value::U8(self.arr::<1>(key)?[0]),
            1 => Value::I8(self.arr::<1>(key)?[0] as i8),
            2 => Value::U16(u16::from_le_bytes(self.arr(key)?)),
            3 => Value::I16(i16::from_le_bytes(self.arr(key)?)),
            4 => Value::U32(self.u32(key)?),
            5 => Value::I32(i32::from_le_bytes(self.arr(key)?)),
            6 => Value::F32(f32::from_le_bytes(self.arr(key)?)),
            7 => Value::Bool(self.arr::<1>(key)?[0] != 0),
            8 => Value::Str(self.string(key)?),
            9 => Value::Array(self.array(key, depth)?),
            10 => Value::U64(self.u64(key)?),
            11 => Value::I64(i64::from_le_bytes(self.arr(key)?)),
            12 => Value::F64(f64::from_le_bytes(self.arr(key)?)),
            _ => return Err(corrupt(format!("metadata {key} has unknown value type {ty}"))),
        })
    }
}

impl Reader<'_> {
    /// An array's element type, count and items, each item read straight into a typed vector.
    fn array(&mut self, key: &str, depth: usize) -> Result<Array, ModelError> {
        if depth > 8 {
            return Err(corrupt(format!("metadata {key} nests arrays too deeply")));
        }
        let ety = self.u32(key)?;
        let min_item = match ety {
            0 | 1 | 7 => 1,
            2 | 3 => 2,
            4..=6 => 4,
            8 | 10..=12 => 8,
            9 => 12,
            _ => return Err(corrupt(format!("metadata {key} has unknown array element type {ety}"))),
        };
        let n = self.count(key, min_item)?;
        fn items<T>(n: usize, mut f: impl FnMut() -> Result<T, ModelError>) -> Result<Vec<T>, ModelError> {
            let mut v = Vec::with_capacity(n);
            for _ in 0..n {
                v.push(f()?);
            }
            Ok(v)
        }
        Ok(match ety {
            0 => Array::U8(self.take(n, key)?.to_vec()),
            1 => Array::I8(self.take(n, key)?.iter().map(|&b| b as i8).collect()),
            2 => Array::U16(items(n, || Ok(u16::from_le_bytes(self.arr(key)?)))?),
            3 => Array::I16(items(n, || Ok(i16::from_le_bytes(self.arr(key)?)))?),
            4 => Array::U32(items(n, || self.u32(key))?),
            5 => Array::I32(items(n, || Ok(i32::from_le_bytes(self.arr(key)?)))?),
            6 => Array::F32(items(n, || Ok(f32::from_le_bytes(self.arr(key)?)))?),
            7 => Array::Bool(self.take(n, key)?.iter().map(|&b| b != 0).collect()),
            8 => Array::Str(items(n, || self.string(key))?),
            9 => Array::Array(items(n, || self.array(key, depth + 1))?),
            10 => Array::U64(items(n, || self.u64(key))?),
            11 => Array::I64(items(n, || Ok(i64::from_le_bytes(self.arr(key)?)))?),
            _ => Array::F64(items(n, || Ok(f64::from_le_bytes(self.arr(key)?)))?),
        })
    }
}

impl Gguf {
    /// Parses the header and tensor table of a GGUF file held in `bytes`.
    pub fn parse(bytes: &[u8]) -> Result<Self, ModelError> {
        let mut r = Reader { b: bytes, pos: 0 };
        if r.take(4, "the magic number").ok() != Some(b"GGUF".as_slice()) {
            return Err(ModelError::Gguf(
                "not a GGUF file (it does not start with \"GGUF\"); tome reads llama.cpp GGUF models".into(),
            ));
        }
        let version = r.u32("the version")?;
        if !(2..=3).contains(&version) {
            return Err(ModelError::Gguf(format!(
                "GGUF version {version} is not supported (2 and 3 are); convert the model with a recent llama.cpp"
            )));
        }
        let n_tensors = r.count("the tensor count", 24)?;
        let n_kv = r.count("the metadata count", 12)?;
        let mut metadata = HashMap::with_capacity(n_kv);
        for _ in 0..n_kv {
            let key = r.string("a metadata key")?;
            let ty = r.u32(&key)?;
            let v = r.value(ty, &key, 0)?;
            metadata.insert(key, v);
        }
        let mut raw = Vec::with_capacity(n_tensors);
        for _ in 0..n_tensors {
            let name = r.string("a tensor name")?;
            let n_dims = r.u32(&name)? as usize;
            if n_dims == 0 || n_dims > 4 {
                return Err(corrupt(format!("tensor {name} has {n_dims} dimensions")));
            }
            let mut dims = Vec::with_capacity(n_dims);
            for _ in 0..n_dims {
                let d = r.u64(&name)?;
                dims.push(usize::try_from(d).map_err(|_| corrupt(format!("tensor {name} dimension {d}")))?);
            }
            let type_id = r.u32(&name)?;
            let offset = r.u64(&name)?;
            raw.push((name, dims, type_id, offset));
        }
        let alignment = match metadata.get("general.alignment") {
            None => 32,
            Some(v) => match v.as_u64() {
                Some(a) if a > 0 && a.is_power_of_two() && a <= 1 << 20 => a as usize,
                _ => return Err(corrupt("general.alignment is not a power of two")),
            },
        };
        let data_offset = r.pos.div_ceil(alignment) * alignment;
        let mut tensors = Vec::with_capacity(raw.len());
        for (name, dims, type_id, offset) in raw {
            let Some(ty) = GgmlType::from_id(type_id) else {
                return Err(ModelError::UnsupportedTensorType {
                    tensor: name,
                    ty: GgmlType::id_name(type_id).to_string(),
                });
            };
            let n = dims.iter().try_fold(1usize, |a, &d| a.checked_mul(d));
            let size = n.and_then(|n| {
                (n % ty.block_len() == 0).then_some(n / ty.block_len())?.checked_mul(ty.block_bytes())
            });
            let Some(size) = size else {
                return Err(corrupt(format!("tensor {name} has an impossible shape {dims:?} for {ty:?}")));
            };
            if dims[0] % ty.block_len() != 0 {
                return Err(corrupt(format!(
                    "tensor {name} rows of {} are not whole {ty:?} blocks",
                    dims[0]
                )));
            }
            let start = usize::try_from(offset).ok().and_then(|o| o.checked_add(data_offset));
            let end = start.and_then(|s| s.checked_add(size)).filter(|&e| e <= bytes.len());
            let (Some(start), Some(_)) = (start, end) else {
                return Err(corrupt(format!(
                    "tensor {name} ({size} bytes at offset {offset}) lies beyond the end of the file ({} bytes)",
                    bytes.len()
                )));
            };
            if start % alignment != 0 {
                return Err(corrupt(format!("tensor {name} is not aligned to {alignment} bytes")));
            }
            tensors.push(TensorInfo { name, dims, ty, offset: start, size });
        }
        Ok(Gguf { version, metadata, tensors, data_offset })
    }

    /// The metadata value for `key`, or an error naming the key.
    pub fn get(&self, key: &str) -> Result<&Value, ModelError> {
        self.metadata.get(key).ok_or_else(|| ModelError::MissingKey(key.to_string()))
    }

    pub fn get_u64(&self, key: &str) -> Result<u64, ModelError> {
        self.get(key)?.as_u64().ok_or_else(|| ModelError::BadKey(key.to_string(), "an unsigned integer"))
    }

    pub fn get_usize(&self, key: &str) -> Result<usize, ModelError> {
        usize::try_from(self.get_u64(key)?).map_err(|_| ModelError::BadKey(key.to_string(), "a size"))
    }

    pub fn get_f32(&self, key: &str) -> Result<f32, ModelError> {
        self.get(key)?.as_f32().ok_or_else(|| ModelError::BadKey(key.to_string(), "a number"))
    }

    pub fn get_str(&self, key: &str) -> Result<&str, ModelError> {
        self.get(key)?.as_str().ok_or_else(|| ModelError::BadKey(key.to_string(), "a string"))
    }

    pub fn get_array(&self, key: &str) -> Result<&Array, ModelError> {
        self.get(key)?.as_array().ok_or_else(|| ModelError::BadKey(key.to_string(), "an array"))
    }

    /// The tensor called `name`, or an error naming it.
    pub fn tensor(&self, name: &str) -> Result<&TensorInfo, ModelError> {
        self.tensors
            .iter()
            .find(|t| t.name == name)
            .ok_or_else(|| ModelError::MissingTensor(name.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(version: u32, n_tensors: u64, n_kv: u64) -> Vec<u8> {
        let mut b = b"GGUF".to_vec();
        b.extend(version.to_le_bytes());
        b.extend(n_tensors.to_le_bytes());
        b.extend(n_kv.to_le_bytes());
        b
    }

    fn push_str(b: &mut Vec<u8>, s: &str) {
        b.extend((s.len() as u64).to_le_bytes());
        b.extend(s.as_bytes());
    }

    #[test]
    fn reads_metadata_of_every_type_and_a_tensor() {
        let mut b = header(3, 1, 4);
        push_str(&mut b, "a.u8");
        b.extend(0u32.to_le_bytes());
        b.push(7);
        push_str(&mut b, "a.f64");
        b.extend(12u32.to_le_bytes());
        b.extend(2.5f64.to_le_bytes());
        push_str(&mut b, "a.strs");
        b.extend(9u32.to_le_bytes());
        b.extend(8u32.to_le_bytes());
        b.extend(2u64.to_le_bytes());
        push_str(&mut b, "x");
        push_str(&mut b, "yz");
        push_str(&mut b, "a.nested");
        b.extend(9u32.to_le_bytes());
        b.extend(9u32.to_le_bytes());
        b.extend(1u64.to_le_bytes());
        b.extend(11u32.to_le_bytes());
        b.extend(1u64.to_le_bytes());
        b.extend((-3i64).to_le_bytes());
        push_str(&mut b, "w");
        b.extend(2u32.to_le_bytes());
        b.extend(4u64.to_le_bytes());
        b.extend(2u64.to_le_bytes());
        b.extend(0u32.to_le_bytes());
        b.extend(0u64.to_le_bytes());
        while !b.len().is_multiple_of(32) {
            b.push(0);
        }
        let data_at = b.len();
        for i in 0..8 {
            b.extend((i as f32).to_le_bytes());
        }
        let g = Gguf::parse(&b).unwrap();
        assert_eq!(g.get_u64("a.u8").unwrap(), 7);
        assert_eq!(g.get_f32("a.f64").unwrap(), 2.5);
        assert_eq!(g.get_array("a.strs").unwrap().as_strs().unwrap(), ["x", "yz"]);
        assert_eq!(g.get("a.nested").unwrap(), &Value::Array(Array::Array(vec![Array::I64(vec![-3])])));
        let t = g.tensor("w").unwrap();
        assert_eq!(
            (t.dims.as_slice(), t.ty, t.offset, t.size),
            ([4, 2].as_slice(), GgmlType::F32, data_at, 32)
        );
        assert!(matches!(g.get("missing"), Err(ModelError::MissingKey(k)) if k == "missing"));

        // Every truncation is an error, never a panic.
        for cut in 0..b.len() {
            assert!(Gguf::parse(&b[..cut]).is_err(), "cut at {cut}");
        }
    }

    #[test]
    fn huge_counts_are_errors_not_allocations() {
        let b = header(3, u64::MAX, 1);
        assert!(Gguf::parse(&b).is_err());
        let mut b = header(3, 0, 1);
        push_str(&mut b, "k");
        b.extend(9u32.to_le_bytes());
        b.extend(4u32.to_le_bytes());
        b.extend((1u64 << 60).to_le_bytes());
        assert!(Gguf::parse(&b).is_err());
        assert!(Gguf::parse(&header(1, 0, 0)).is_err());
    }

    #[test]
    fn arrays_take_about_their_file_size_in_memory() {
        let n = 100_000u64;
        let mut b = header(3, 0, 1);
        push_str(&mut b, "k");
        b.extend(9u32.to_le_bytes());
        b.extend(0u32.to_le_bytes());
        b.extend(n.to_le_bytes());
        b.extend(std::iter::repeat_n(7u8, n as usize));
        let g = Gguf::parse(&b).unwrap();
        let a = g.get_array("k").unwrap();
        assert!(matches!(a, Array::U8(v) if v.len() == n as usize && v.capacity() == n as usize));
        assert_eq!(a.to_u64s().unwrap()[5], Some(7));
        assert!(Gguf::parse(b"GGML").is_err());
    }
}
